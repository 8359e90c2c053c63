// import: bring servers that exist in the cloud under management.
//   cphform import ADDRESS SERVER_ID         one server, into a declared block
//   cphform import -filter name_prefix=P     every unmanaged server whose name starts
//     [-generate-config-out=FILE.toml]       with P, into declared blocks, or into the
//                                            blocks written to FILE (a new file)
//   cphform import -filter tag=KEY=VALUE     every unmanaged server with that tag; the same
//     [-provider NAME]                       from the cloud of [provider.NAME]; its blocks
//                                            name it when the manifests declare several
// An import never leaves rows without a block (the next plan would destroy
// them). Only attributes the cloud reports are recorded; the others
// (bandwidth, ports, ...) stay unknown and the manifest's values are
// trusted; the generated blocks read image_id from the servers' phones.
// Declared blocks that list the imported servers (a [phones] block) get
// their rows too, written by the provider from what the cloud reports
// (import_dependents), in the same state edit: all of it or nothing.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <utility>
#include <set>

#include "cli/command.h"
#include "planner/render.h"
#include "resources/schema.h"

namespace cph::engine {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

// A recorded row for an imported object: the values the cloud reports only.
state::ResourceRow imported_row(const std::string& address, const std::string& type,
                                const resources::ImportedObject& object) {
  return {address, type, object.cloud_id, object.attributes, {}, ""};
}

// Which unmanaged servers a filtered import takes: by name prefix, or by
// one tag (key and value).
struct ImportFilter {
  std::string name_prefix;
  std::optional<std::pair<std::string, std::string>> tag;
  std::string describe() const { return tag ? "tag=" + tag->first + "=" + tag->second : "name_prefix=" + name_prefix; }
};

// A block label from a server name: labels are [A-Za-z_][A-Za-z0-9_-]*.
std::string label_for(const std::string& name) {
  std::string out;
  for (unsigned char c : name) out += (std::isalnum(c) || c == '_' || c == '-') && c < 0x80 ? char(c) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) || out[0] == '-') out = "s_" + out;
  return out;
}

// The declared blocks of `provider` with a list of servers naming one of
// `imported` (a [phones] block), their lists as the planner expands them:
// a block address stands for its instances, sorted.
std::vector<resources::DependentBlock> dependent_blocks(Session& s, const std::string& provider,
                                                        const std::set<std::string>& imported) {
  std::vector<resources::DependentBlock> out;
  for (const auto& rc : s.ws.manifest.resources) {
    if (rc.provider != provider) continue;
    const resources::ResourceSchema* schema = resources::find_schema(rc.type);
    if (!schema) continue;
    Json attributes = rc.attributes;
    bool names_imported = false;
    for (const resources::Attribute& a : schema->attributes) {
      if (a.reference_to != "server" || a.type != resources::AttrType::list || !attributes.contains(a.name) ||
          !attributes[a.name].is_array())
        continue;
      std::set<std::string> instances;
      for (const Json& e : attributes[a.name]) {
        if (!e.is_string()) continue;
        const std::string ref = e.get<std::string>();
        const manifest::ResourceConfig* server = ref.find('[') == std::string::npos ? s.ws.manifest.find(ref) : nullptr;
        if (server && server->count)
          for (int i = 0; i < *server->count; ++i) instances.insert(ref + "[" + std::to_string(i) + "]");
        else
          instances.insert(ref);
      }
      std::vector<std::string> sorted(instances.begin(), instances.end());
      std::sort(sorted.begin(), sorted.end(), planner::address_less);
      for (const std::string& i : sorted) names_imported = names_imported || imported.count(i);
      attributes[a.name] = Json(sorted);
    }
    if (!names_imported) continue;
    std::optional<Json> recorded;
    if (auto row = s.store->resource(rc.address())) recorded = row->attributes;
    out.push_back({rc.address(), rc.type, std::move(attributes), std::move(recorded)});
  }
  return out;
}

// The rows of the dependent blocks, recorded by `provider`'s instance.
std::vector<state::ResourceRow> dependent_rows(const resources::DependentImport& found, const std::string& provider) {
  std::vector<state::ResourceRow> rows;
  for (const auto& r : found.rows) {
    rows.push_back({r.address, r.type, r.address, r.attributes, {}, ""});
    rows.back().provider = planner::recorded_provider(provider, r.type);
  }
  return rows;
}

asio::awaitable<int> import_one(Context& ctx, Session& s, const std::string& address, const std::string& id) {
  const manifest::ResourceConfig* block = nullptr;
  for (const auto& rc : s.ws.manifest.resources)
    if (planner::address_matches(address, rc.address())) block = &rc;
  if (!block)
    throw std::runtime_error("declare " + address + " in the manifests before importing into it (a [" +
                             address.substr(0, address.find('[')) + "] block)");
  if (address != block->address() || block->count) {
    std::smatch m;
    if (!block->count || !std::regex_match(address, m, std::regex(R"(.*\[(\d+)\])")) ||
        std::stoi(m[1].str()) >= *block->count)
      throw std::runtime_error(address + " is not an instance of " + block->address() +
                               (block->count ? " (count = " + std::to_string(*block->count) + ")" : ""));
  }
  if (s.store->resource(address)) throw std::runtime_error(address + " is already in the state");
  for (const auto& row : s.store->resources())
    if (row.cloud_id == id) throw std::runtime_error("server " + id + " is already managed as " + row.address);
  // Read from, and recorded as owned by, the provider instance of the block.
  resources::ImportedObject live = co_await s.conn.instance(block->provider).provider->read_object(block->type, id);
  state::ResourceRow row = imported_row(address, block->type, live);
  row.provider = planner::recorded_provider(block->provider, block->type);
  resources::Provider& provider = *s.conn.instance(block->provider).provider;
  const std::vector<resources::ImportedSet> sets{{block->address(), {{address, id}}, false}};
  const std::vector<resources::DependentBlock> dependents = dependent_blocks(s, block->provider, {address});
  const resources::DependentImport found = co_await provider.import_dependents(sets, dependents);
  std::vector<state::ResourceRow> rows = dependent_rows(found, block->provider);
  rows.insert(rows.begin(), row);
  commit_state_edit(*s.store, "import", address, rows, {});
  ctx.out << address << ": Import complete [id=" << id << ", name=" << live.name << "]\n";
  for (const auto& r : found.rows) ctx.out << r.address << ": recorded with it [" << r.note << "]\n";
  ctx.out << "\nImport successful! Run cphform plan to compare it with the manifests.\n";
  co_return 0;
}

// Writes `text` to a new file: refuses one that exists (as Terraform's
// -generate-config-out does), so that nothing the user wrote is replaced.
void write_new_file(const std::filesystem::path& file, const std::string& text) {
  std::FILE* f = std::fopen(file.c_str(), "wx");
  if (!f) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno) + "; nothing was imported");
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::filesystem::remove(file);
    throw std::runtime_error("cannot write " + file.string() + "; nothing was imported");
  }
}

// The provider instance a filtered import lists (-provider NAME; the
// session's default one without), and the line its generated blocks carry
// when the manifests declare several instances (a block then names its own).
struct ImportSource {
  CloudConnection* connection = nullptr;
  std::string provider_line;
};

ImportSource import_source(Session& s, const std::string& wanted) {
  ImportSource source{&s.conn, ""};
  if (!wanted.empty()) {
    std::vector<std::string> known;
    for (CloudConnection* c : s.conn.instances()) {
      known.push_back(c->name);
      if (c->name == wanted) source.connection = c;
    }
    if (source.connection->name != wanted) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw std::runtime_error("-provider " + wanted + ": the manifests declare no [provider." + wanted +
                               "] (they declare: " + list + "); nothing was imported");
    }
  }
  if (s.conn.instances().size() > 1) source.provider_line = "provider = \"provider." + source.connection->name + "\"\n";
  return source;
}

asio::awaitable<int> import_filtered(Context& ctx, Session& s, const ImportFilter& filter,
                                     const std::optional<std::filesystem::path>& config_out, const std::string& from) {
  const ImportSource source = import_source(s, from);
  std::set<std::string> managed;
  for (const auto& row : s.store->resources()) managed.insert(row.cloud_id);
  // import -filter takes servers, the type that names its instances.
  const std::string type = "server";
  const resources::ResourceSchema& schema = *resources::find_schema(type);
  std::vector<resources::ImportedObject> all = co_await source.connection->provider->list_objects(type);
  auto wanted = [&](const resources::ImportedObject& o) {
    if (filter.tag) return o.tags.contains(filter.tag->first) && o.tags[filter.tag->first] == filter.tag->second;
    return o.name.rfind(filter.name_prefix, 0) == 0;
  };
  // Group "<base>-NNNN" names into counted blocks, others into single blocks.
  struct Group {
    std::string name;
    bool counted = false;
    std::map<int, const resources::ImportedObject*> members;  // by index
  };
  std::map<std::string, Group> groups;  // by label
  for (const auto& o : all) {
    if (managed.count(o.cloud_id) || !wanted(o)) continue;
    std::optional<std::pair<std::string, int>> instance = schema.instance_of ? schema.instance_of(o.name) : std::nullopt;
    const bool counted = instance.has_value();
    std::string name = counted ? instance->first : o.name;
    Group& g = groups[label_for(name) + (counted ? "" : "_single")];
    g.name = name;
    g.counted = counted;
    int index = counted ? instance->second : 0;
    if (g.members.count(index))
      throw std::runtime_error("two unmanaged servers are named " + o.name + "; rename one before importing");
    g.members[index] = &o;
  }
  if (groups.empty()) {
    if (filter.tag)
      ctx.out << "No unmanaged server has the tag " << filter.tag->first << "=" << filter.tag->second
              << "; nothing was imported.\n";
    else
      ctx.out << "No unmanaged server has a name starting with \"" << filter.name_prefix << "\"; nothing was imported.\n";
    co_return 0;
  }
  std::vector<state::ResourceRow> rows;
  std::string blocks;
  std::vector<resources::ImportedSet> sets;
  for (auto& [key, g] : groups) {
    std::string label = label_for(g.name);
    std::string block = type + "." + label;
    for (const auto& row : s.store->resources())
      if (planner::address_matches(row.address, block))
        throw std::runtime_error(block + " already has instances in the state; import them one by one instead");
    // Rows without a block would plan the destruction of what was just
    // imported: the block must exist, or be written now.
    const manifest::ResourceConfig* config = s.ws.manifest.find(block);
    const bool declared = config != nullptr;
    if (declared && config->provider != source.connection->name)
      throw std::runtime_error(block + " belongs to provider." + config->provider + ", not provider." +
                               source.connection->name + " where these servers are (nothing was imported)");
    if (config_out && declared)
      throw std::runtime_error(block + " is already declared in the manifests: import without -generate-config-out "
                               "(nothing was imported)");
    if (!config_out && !declared)
      throw std::runtime_error("no [" + block + "] block in the manifests: the next plan would destroy the servers " +
                               "imported into it. Write the blocks with -generate-config-out=FILE.toml, or declare [" +
                               block + "] first (nothing was imported)");
    std::optional<int> count;
    if (g.counted) count = g.members.rbegin()->first + 1;
    bool same_tags = true;
    const resources::ImportedObject& first = *g.members.begin()->second;
    sets.push_back({block, {}, config_out.has_value()});
    for (const auto& [index, o] : g.members) {
      rows.push_back(imported_row(g.counted ? block + "[" + std::to_string(index) + "]" : block, type, *o));
      sets.back().ids[rows.back().address] = o->cloud_id;
      rows.back().attributes["tags"] = o->tags;
      rows.back().provider = planner::recorded_provider(source.connection->name, type);
      same_tags = same_tags && o->tags == first.tags;
    }
    std::string text = co_await source.connection->provider->generated_block(type, label, g.name, count, first);
    blocks += text.insert(text.find('\n') + 1, source.provider_line);  // under the [type.label] line
    if (!same_tags)
      blocks += "# note: the instances' tags differ; these are " + label + "'s first instance's\n\n";
    if (count && static_cast<int>(g.members.size()) != *count)
      blocks += "# note: only " + std::to_string(g.members.size()) + " of the " + std::to_string(*count) +
                " instances exist; the next apply would buy the missing ones\n\n";
  }
  // The rows (and generated blocks) of blocks that list these servers.
  std::set<std::string> imported;
  for (const auto& r : rows) imported.insert(r.address);
  const std::vector<resources::DependentBlock> dependents = dependent_blocks(s, source.connection->name, imported);
  const resources::DependentImport found = co_await source.connection->provider->import_dependents(sets, dependents);
  const size_t servers = rows.size();
  for (state::ResourceRow& r : dependent_rows(found, source.connection->name)) rows.push_back(std::move(r));
  for (size_t at = 0; at < found.blocks.size();) {  // each block's provider under its [type.label] line
    const size_t end = std::min(found.blocks.find('\n', at), found.blocks.size() - 1) + 1;
    const std::string line = found.blocks.substr(at, end - at);
    blocks += line;
    if (line[0] == '[') {
      const std::string written = line.substr(1, line.find(']') - 1);
      if (s.ws.manifest.find(written))
        throw std::runtime_error(written + " is already declared in the manifests (nothing was imported)");
      blocks += source.provider_line;
    }
    at = end;
  }
  if (config_out) {
    // The blocks first: state rows without them would plan a destroy.
    write_new_file(*config_out, "# Written by cphform import -filter " + filter.describe() +
                                    " from what the cloud reports.\n\n" + blocks);
    try {
      commit_state_edit(*s.store, "import", "filter " + filter.describe(), rows, {});
    } catch (...) {
      std::filesystem::remove(*config_out);
      throw;
    }
  } else {
    commit_state_edit(*s.store, "import", "filter " + filter.describe(), rows, {});
  }
  for (size_t i = 0; i < servers; ++i) ctx.out << rows[i].address << ": Import complete [id=" << rows[i].cloud_id << "]\n";
  for (const auto& r : found.rows) ctx.out << r.address << ": recorded with them [" << r.note << "]\n";
  if (config_out)
    ctx.out << "\nImported " << servers << " server(s); their blocks are in " << config_out->string()
            << ". Run cphform plan to check them.\n";
  else
    ctx.out << "\nImported " << servers << " server(s) into the declared blocks. What the cloud reports, to "
            << "compare with them (cphform plan shows any difference):\n\n" << blocks;
  co_return 0;
}

}  // namespace

asio::awaitable<int> cmd_import(Context& ctx, const Flags& flags) {
  SessionOptions options;
  options.operation = "import";
  options.lock_timeout = parse_duration(flags.get("lock-timeout", "0s"));
  options.take_lock = lock_wanted(ctx, flags, options.operation);
  if (flags.has("filter")) {
    const std::string text = flags.get("filter");
    ImportFilter filter;
    if (text.rfind("name_prefix=", 0) == 0 && text.size() > 12) {
      filter.name_prefix = text.substr(12);
    } else if (auto eq = text.find('=', 4); text.rfind("tag=", 0) == 0 && eq != std::string::npos && eq > 4) {
      filter.tag = std::make_pair(text.substr(4, eq - 4), text.substr(eq + 1));
    } else {
      throw UsageError("-filter takes name_prefix=PREFIX or tag=KEY=VALUE");
    }
    if (!flags.positional.empty()) throw UsageError("import -filter takes no address");
    std::optional<std::filesystem::path> config_out;
    if (flags.has("generate-config-out")) {
      std::filesystem::path file = flags.get("generate-config-out");
      if (file.extension() != ".toml")
        throw UsageError("-generate-config-out names a new .toml file (the manifests are the *.toml files)");
      if (file.is_relative()) file = ctx.dir / file;
      if (std::filesystem::exists(file))
        throw std::runtime_error(file.string() + " already exists: -generate-config-out writes a new file; "
                                 "nothing was imported");
      config_out = file;
    }
    auto s = co_await open_session(ctx, options);
    const std::string from = flags.get("provider", "");
    const int code = co_await import_filtered(ctx, *s, filter, config_out, from);
    co_return release_lock(ctx, *s, code);
  }
  if (flags.has("generate-config-out")) throw UsageError("-generate-config-out goes with import -filter");
  if (flags.has("provider"))
    throw UsageError("-provider goes with import -filter (import ADDRESS ID reads from the block's provider)");
  if (flags.positional.size() != 2)
    throw UsageError("usage: cphform import ADDRESS SERVER_ID | import -filter name_prefix=P | import -filter tag=K=V");
  auto s = co_await open_session(ctx, options);
  const int code = co_await import_one(ctx, *s, flags.positional[0], flags.positional[1]);
  co_return release_lock(ctx, *s, code);
}

}  // namespace cph::engine
