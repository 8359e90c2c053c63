// import: bring servers that exist in the cloud under management.
//   cphform import ADDRESS SERVER_ID         one server, into a declared block
//   cphform import -filter name_prefix=P     every unmanaged server whose name starts
//                                            with P; prints manifest blocks for them
//   cphform import -filter tag=KEY=VALUE     every unmanaged server with that tag; the same
// Only attributes the cloud reports are recorded; the others (image_id,
// bandwidth, ...) stay unknown and the manifest's values are trusted.
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "engine/command.h"
#include "planner/render.h"
#include "resources/server.h"

namespace cph::engine {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

// A recorded row for a live server: readable and computed attributes only.
state::ResourceRow imported_row(const std::string& address, const cloud::Server& live) {
  return {address, "server", live.server_id, resources::server_refreshed_attributes(Json::object(), live), {}, ""};
}

std::string toml_string(const std::string& s) { return Json(s).dump(); }

// A TOML key: bare when it can be, quoted otherwise.
std::string toml_key(const std::string& k) {
  bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](unsigned char c) {
    return c < 0x80 && (std::isalnum(c) || c == '_' || c == '-');
  });
  return bare ? k : toml_string(k);
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

// The manifest block for one group of imported servers.
std::string snippet(const std::string& label, const std::string& name, std::optional<int> count,
                    const cloud::Server& sample, const Json& tags) {
  std::string out = "[server." + label + "]\n";
  out += "name              = " + toml_string(name) + "\n";
  if (count) out += "count             = " + std::to_string(*count) + "\n";
  out += "server_model      = " + toml_string(sample.server_model_name) + "\n";
  out += "phone_model       = " + toml_string(sample.phone_model_name) + "\n";
  out += "vpc_id            = " + toml_string(sample.vpc_id) + "\n";
  out += "subnet_id         = " + toml_string(sample.subnet_id) + "\n";
  if (!sample.availability_zone.empty())
    out += "availability_zone = " + toml_string(sample.availability_zone) + "\n";
  if (!sample.keypair_name.empty()) out += "keypair           = " + toml_string(sample.keypair_name) + "\n";
  out += "image_id          = \"TODO\"  # not reported by the cloud: fill in the image the servers run\n";
  if (!sample.band_widths.empty()) {
    const auto& b = sample.band_widths.front();
    out += std::string("bandwidth         = { share_type = \"") + (b.band_width_share_type ? "shared" : "dedicated") +
           "\", charge_mode = \"" + (b.band_width_charge_mode ? "traffic" : "bandwidth") +
           "\", size = " + std::to_string(b.band_width_size) + " }\n";
  } else {
    out += "bandwidth         = { share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }  # TODO: check\n";
  }
  if (!tags.empty()) {
    std::string items;
    for (auto it = tags.begin(); it != tags.end(); ++it)
      items += (items.empty() ? "" : ", ") + toml_key(it.key()) + " = " + toml_string(it.value().get<std::string>());
    out += "tags              = { " + items + " }\n";
  }
  return out + "\n";
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
  cloud::Server live = co_await s.conn.client->show_server(id);
  commit_state_edit(*s.store, "import", address, {imported_row(address, live)}, {});
  ctx.out << address << ": Import complete [id=" << id << ", name=" << live.server_name << "]\n\n"
          << "Import successful! Run cphform plan to compare it with the manifests.\n";
  co_return 0;
}

asio::awaitable<int> import_filtered(Context& ctx, Session& s, const ImportFilter& filter) {
  std::set<std::string> managed;
  for (const auto& row : s.store->resources()) managed.insert(row.cloud_id);
  std::vector<cloud::Server> all = co_await s.conn.client->list_all_servers();
  // Every server's tags (7.9, in pages): recorded with the imported rows,
  // so that later tag changes are drift, and written into the blocks.
  std::map<std::string, Json> tags_of;
  for (const cloud::TaggedResource& r : co_await s.conn.client->list_all_server_tags()) {
    Json tags = Json::object();
    for (const cloud::Tag& t : r.tags) tags[t.key] = t.value;
    tags_of[r.resource_id] = std::move(tags);
  }
  auto tags = [&](const std::string& id) {
    auto t = tags_of.find(id);
    return t == tags_of.end() ? Json::object() : t->second;
  };
  auto wanted = [&](const cloud::Server& srv) {
    if (filter.tag) {
      Json t = tags(srv.server_id);
      return t.contains(filter.tag->first) && t[filter.tag->first] == filter.tag->second;
    }
    return srv.server_name.rfind(filter.name_prefix, 0) == 0;
  };
  // Group "<base>-NNNN" names into counted blocks, others into single blocks.
  struct Group {
    std::string name;
    bool counted = false;
    std::map<int, cloud::Server> members;  // by index
  };
  std::map<std::string, Group> groups;  // by label
  static const std::regex numbered(R"((.+)-(\d{4}))");
  for (const auto& srv : all) {
    if (managed.count(srv.server_id) || !wanted(srv)) continue;
    std::smatch m;
    bool counted = std::regex_match(srv.server_name, m, numbered) && std::stoi(m[2].str()) > 0;
    std::string name = counted ? m[1].str() : srv.server_name;
    Group& g = groups[label_for(name) + (counted ? "" : "_single")];
    g.name = name;
    g.counted = counted;
    int index = counted ? std::stoi(m[2].str()) - 1 : 0;
    if (g.members.count(index))
      throw std::runtime_error("two unmanaged servers are named " + srv.server_name + "; rename one before importing");
    g.members[index] = srv;
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
  for (auto& [key, g] : groups) {
    std::string label = label_for(g.name);
    std::string block = "server." + label;
    for (const auto& row : s.store->resources())
      if (planner::address_matches(row.address, block))
        throw std::runtime_error(block + " already has instances in the state; import them one by one instead");
    std::optional<int> count;
    if (g.counted) count = g.members.rbegin()->first + 1;
    bool same_tags = true;
    for (const auto& [index, srv] : g.members) {
      rows.push_back(imported_row(g.counted ? block + "[" + std::to_string(index) + "]" : block, srv));
      rows.back().attributes["tags"] = tags(srv.server_id);
      same_tags = same_tags && tags(srv.server_id) == tags(g.members.begin()->second.server_id);
    }
    cloud::Server sample = co_await s.conn.client->show_server(g.members.begin()->second.server_id);
    blocks += snippet(label, g.name, count, sample, tags(sample.server_id));
    if (!same_tags)
      blocks += "# note: the instances' tags differ; these are " + label + "'s first instance's\n\n";
    if (count && static_cast<int>(g.members.size()) != *count)
      blocks += "# note: only " + std::to_string(g.members.size()) + " of the " + std::to_string(*count) +
                " instances exist; the next apply would buy the missing ones\n\n";
  }
  commit_state_edit(*s.store, "import", "filter " + filter.describe(), rows, {});
  for (const auto& r : rows) ctx.out << r.address << ": Import complete [id=" << r.cloud_id << "]\n";
  ctx.out << "\nImported " << rows.size() << " server(s). Add these blocks to a manifest (fill in the TODOs),\n"
          << "then run cphform plan:\n\n" << blocks;
  co_return 0;
}

}  // namespace

asio::awaitable<int> cmd_import(Context& ctx, const Flags& flags) {
  SessionOptions options;
  options.take_lock = true;
  options.operation = "import";
  options.lock_timeout = parse_duration(flags.get("lock-timeout", "0s"));
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
    auto s = co_await open_session(ctx, options);
    const int code = co_await import_filtered(ctx, *s, filter);
    co_return release_lock(ctx, *s, code);
  }
  if (flags.positional.size() != 2)
    throw UsageError("usage: cphform import ADDRESS SERVER_ID | import -filter name_prefix=P | import -filter tag=K=V");
  auto s = co_await open_session(ctx, options);
  const int code = co_await import_one(ctx, *s, flags.positional[0], flags.positional[1]);
  co_return release_lock(ctx, *s, code);
}

}  // namespace cph::engine
