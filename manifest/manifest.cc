// Assembles a Manifest from one or more TOML documents: the top-level block
// types, [provider], block labels, merging files and the digest. The values
// inside resource blocks are checked by validate.cc.
#include "manifest/manifest.h"

#include <algorithm>
#include <tuple>

#include <unistd.h>

#include "common/crypto.h"
#include "common/duration.h"
#include "manifest/document.h"
#include "manifest/files.h"
#include "manifest/limits.h"
#include "manifest/link.h"
#include "manifest/providers.h"
#include "manifest/validate.h"
#include "manifest/variables.h"
#include "resources/schema.h"

namespace cph::manifest {

std::string SourcePos::str() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string Diagnostic::str() const { return pos.str() + ": error: " + message; }

namespace {
std::string list_all(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += (out.empty() ? "" : "\n") + d.str();
  return out;
}
}  // namespace

ManifestError::ManifestError(std::vector<Diagnostic> d) : std::runtime_error(list_all(d)), diagnostics(std::move(d)) {}

// Falls back to the nearest written ancestor ("bandwidth" for an unset
// "bandwidth.size"), then to the block header.
const SourcePos& ResourceConfig::pos_of(const std::string& path) const {
  for (std::string p = path; !p.empty();) {
    if (auto it = positions.find(p); it != positions.end()) return it->second;
    size_t cut = p.find_last_of(".[");
    p = cut == std::string::npos ? "" : p.substr(0, cut);
  }
  return pos;
}

const ResourceConfig* Manifest::find(std::string_view address) const {
  // "type.name" compared in place: the planner asks once per instance, and
  // building address() for every block made that quadratic in allocations.
  for (const ResourceConfig& r : resources)
    if (address.size() == r.type.size() + 1 + r.name.size() && address.starts_with(r.type) &&
        address[r.type.size()] == '.' && address.ends_with(r.name))
      return &r;
  return nullptr;
}

const ProviderConfig* Manifest::find_provider(std::string_view name) const {
  for (const ProviderConfig& p : providers)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

using detail::suggestion;
using detail::valid_label;

// Everything one load gathers before it either throws or returns.
struct Assembly {
  Manifest manifest;
  std::vector<Diagnostic> diags;
  std::map<std::string, SourcePos> blocks;  // address -> header, to report duplicates across files
  detail::ProviderTables providers;
  std::optional<SourcePos> drift_at;
  std::optional<SourcePos> backend_at;
  std::vector<std::string> meanings;  // each document's values as canonical JSON, for the digest
  std::vector<doc::Node> documents;  // parsed, processed together once all are read
  std::map<std::string, std::vector<detail::PendingReference>> refs;  // by block or output address

  void error(const SourcePos& pos, std::string message) { diags.push_back(Diagnostic{pos, std::move(message)}); }
};


void read_backend(const doc::Entry& entry, Assembly& a) {
  const doc::Node& table = entry.value;
  if (table.kind != doc::Kind::table)
    return a.error(table.pos, "backend: must be a table, written [backend] (got " + std::string(doc::kind_name(table.kind)) + ")");
  if (a.backend_at)
    return a.error(table.pos, "backend: [backend] is also defined at " + a.backend_at->str() +
                                  "; keep a single [backend] table across the manifest files");
  a.backend_at = table.pos;
  BackendSettings& b = a.manifest.backend;
  b.pos = table.pos;
  static const std::vector<std::string> keys = {"type", "conn"};
  for (const doc::Entry& e : table.entries) {
    if (std::find(keys.begin(), keys.end(), e.key) == keys.end()) {
      a.error(e.key_pos, "backend: unknown attribute \"" + e.key + "\"" + suggestion(e.key, keys));
      continue;
    }
    if (e.value.kind != doc::Kind::string) {
      a.error(e.value.pos, "backend: attribute \"" + e.key + "\" must be a string (got " +
                               std::string(doc::kind_name(e.value.kind)) + " " + doc::brief(e.value) + ")");
      continue;
    }
    const std::string& v = e.value.scalar.get_ref<const std::string&>();
    if (e.key == "type") {
      if (v != "sqlite" && v != "pg")
        a.error(e.value.pos, "backend: attribute \"type\" must be \"sqlite\" or \"pg\" (got " + doc::brief(e.value) + ")");
      else
        b.type = v;
    } else {
      b.conn = v;
    }
  }
  if (b.conn && b.type != "pg") a.error(table.pos, "backend: \"conn\" is only for type = \"pg\"");
}

void read_drift(const doc::Entry& entry, Assembly& a) {
  const doc::Node& table = entry.value;
  if (table.kind != doc::Kind::table)
    return a.error(table.pos, "drift: must be a table, written [drift] (got " + std::string(doc::kind_name(table.kind)) + ")");
  if (a.drift_at)
    return a.error(table.pos, "drift: [drift] is also defined at " + a.drift_at->str() +
                                  "; keep a single [drift] table across the manifest files");
  a.drift_at = table.pos;
  a.manifest.drift.pos = table.pos;
  static const std::vector<std::string> keys = {"ignore"};
  for (const doc::Entry& e : table.entries) {
    if (e.key != "ignore") {
      a.error(e.key_pos, "drift: unknown attribute \"" + e.key + "\"" + suggestion(e.key, keys));
      continue;
    }
    if (e.value.kind != doc::Kind::array) {
      a.error(e.value.pos, "drift: attribute \"ignore\" must be an array of patterns such as "
                           "[\"server.*.name\"] (got " + std::string(doc::kind_name(e.value.kind)) + ")");
      continue;
    }
    for (const doc::Node& item : e.value.items) {
      if (item.kind != doc::Kind::string || item.scalar.get_ref<const std::string&>().empty()) {
        a.error(item.pos, "drift: each ignore pattern must be a non-empty string such as \"server.*.name\" (got " +
                              doc::brief(item) + ")");
        continue;
      }
      a.manifest.drift.ignore.push_back(item.scalar.get<std::string>());
    }
  }
}

void read_blocks(const resources::ResourceSchema& schema, const doc::Entry& entry, Assembly& a) {
  const std::string& type = schema.type;
  if (entry.value.kind != doc::Kind::table)
    return a.error(entry.value.pos, "\"" + type + "\" blocks are written as [" + type + ".LABEL] tables (got " +
                                        std::string(doc::kind_name(entry.value.kind)) + ")");
  for (const doc::Entry& block : entry.value.entries) {
    std::string address = type + "." + block.key;
    if (!valid_label(block.key)) {
      a.error(block.key_pos, address + ": block label \"" + block.key +
                                 "\" must match ^[A-Za-z_][A-Za-z0-9_-]*$ (a letter or _, then letters, digits, _ or "
                                 "-); it names the resource in the state and in plans");
      continue;
    }
    if (block.value.kind != doc::Kind::table) {
      a.error(block.value.pos, address + ": expected a resource block [" + address + "] (got " +
                                   std::string(doc::kind_name(block.value.kind)) + " " + doc::brief(block.value) +
                                   "); attributes go inside a labelled block such as [" + type + ".web]");
      continue;
    }
    if (auto seen = a.blocks.find(address); seen != a.blocks.end()) {
      a.error(block.value.pos, address + ": duplicate resource block, also defined at " + seen->second.str() +
                                   "; labels must be unique per type across all manifest files, rename or "
                                   "remove one");
      continue;
    }
    a.blocks.emplace(address, block.value.pos);
    a.manifest.resources.push_back(detail::validate_block(schema, block.key, block.value, a.diags, a.refs[address]));
  }
}

std::vector<std::string> known_block_types() {
  std::vector<std::string> names = {"provider", "backend", "drift", "variables", "output"};
  for (const resources::ResourceSchema* s : resources::all_schemas()) names.push_back(s->type);
  return names;
}

void add_document(std::string_view text, const std::string& filename, Assembly& a) {
  a.manifest.files.push_back(filename);
  if (std::optional<doc::Node> root = doc::parse_toml(text, filename, a.diags)) {
    // What the document means, as written (before variables): comments,
    // layout, key order and how a table is spelled do not change it.
    a.meanings.push_back(detail::to_json(*root).dump());
    a.documents.push_back(std::move(*root));
  }
}

// The digest a saved plan is checked against: what the manifests mean (each
// document's values, in any file order) and the effective variable values,
// so that a plan goes stale when the meaning changes and only then; a
// comment or `cphform fmt` leaves it as it was.
std::string meaning_digest(std::vector<std::string> meanings, const std::vector<Variable>& vars) {
  std::sort(meanings.begin(), meanings.end());
  std::string input;
  for (const std::string& m : meanings) input += std::to_string(m.size()) + "\n" + m + "\n";
  return crypto::sha256_hex(input + detail::variables_digest_input(vars));
}

void read_document(const doc::Node& root, Assembly& a) {
  for (const doc::Entry& e : root.entries) {
    if (e.key == "variables") {
      continue;  // read first, by assemble()
    } else if (e.key == "output") {
      detail::read_outputs(e, a.manifest.outputs, a.refs, a.diags);
    } else if (e.key == "provider") {
      detail::read_providers(e, a.providers, a.diags);
    } else if (e.key == "drift") {
      read_drift(e, a);
    } else if (e.key == "backend") {
      read_backend(e, a);
    } else if (const resources::ResourceSchema* schema = resources::find_schema(e.key)) {
      read_blocks(*schema, e, a);
    } else {
      std::vector<std::string> known = known_block_types();
      std::string near;
      if (std::optional<std::string> c = detail::closest(e.key, known)) near = "; did you mean \"" + *c + "\"?";
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      a.error(e.key_pos, "unknown block type \"" + e.key + "\"" + near + " (known block types: " + list + ")");
    }
  }
}

// Sensitive values never reach a message, whatever check wrote it.
void scrub(std::vector<Diagnostic>& diags, const std::vector<std::string>& secrets) {
  for (Diagnostic& d : diags)
    for (const std::string& secret : secrets)
      for (size_t at = d.message.find(secret); at != std::string::npos; at = d.message.find(secret, at))
        d.message.replace(at, secret.size(), "(sensitive value)");
}

// Every count is expanded by link() (instance names) and by the planner:
// bound their sum first, at the block that crosses the limit.
bool within_instance_limit(Assembly& a) {
  int64_t total = 0;
  for (const ResourceConfig& rc : a.manifest.resources) {
    total += rc.count.value_or(1);
    if (total <= limits::kMaxInstances) continue;
    a.error(rc.pos_of("count"), rc.address() + ": this block brings the number of instances of the configuration "
                                "to " + limits::with_commas(static_cast<uint64_t>(total)) + " or more, over the limit "
                                "of " + limits::with_commas(limits::kMaxInstances) + " (every block counts its count, "
                                "or 1); lower count or split the fleet into several configurations");
    return false;
  }
  return true;
}

// Files that attributes name are checked now (inside the manifest
// directory, regular, bounded), so that what validate accepts the planner
// can read. A name still holding a resource reference is checked by the
// planner once known.
void check_named_files(Assembly& a) {
  for (const ResourceConfig& rc : a.manifest.resources) {
    if (rc.type != "keypair" || !rc.attributes.contains("public_key_file")) continue;
    const Json& v = rc.attributes["public_key_file"];
    if (!v.is_string() || v.get_ref<const std::string&>().find("${") != std::string::npos) continue;
    try {
      files::read_named_file(v.get<std::string>(), rc.pos_of("public_key_file"),
                             rc.address() + ": attribute \"public_key_file\"", limits::kMaxKeyFileBytes);
    } catch (const ManifestError& e) {
      a.diags.insert(a.diags.end(), e.diagnostics.begin(), e.diagnostics.end());
    }
  }
}

// Variables first (declared in any file, used in any file), then every
// document with them substituted, then the checks across blocks.
Manifest assemble(Assembly& a, const VariableInputs& inputs) {
  std::vector<Variable>& vars = a.manifest.variables;
  for (const doc::Node& root : a.documents)
    for (const doc::Entry& e : root.entries)
      if (e.key == "variables") detail::declare_variables(e, vars, a.diags);
  detail::resolve_variables(vars, inputs, a.diags);
  for (doc::Node& root : a.documents)
    for (doc::Entry& e : root.entries)
      if (e.key != "variables") detail::substitute_variables(e.value, vars, inputs.workspace, a.diags);
  for (const doc::Node& root : a.documents) read_document(root, a);
  detail::resolve_providers(a.manifest, a.providers, a.diags);
  bool bounded = within_instance_limit(a);
  std::sort(a.manifest.resources.begin(), a.manifest.resources.end(),
            [](const ResourceConfig& x, const ResourceConfig& y) { return x.address() < y.address(); });
  if (a.diags.empty() && bounded) detail::link(a.manifest, a.refs, a.diags);
  if (a.diags.empty()) check_named_files(a);
  if (!a.diags.empty()) {
    scrub(a.diags, detail::sensitive_texts(vars));
    // Read top to bottom, file by file, whatever order the checks ran in.
    std::stable_sort(a.diags.begin(), a.diags.end(), [](const Diagnostic& x, const Diagnostic& y) {
      return std::tie(x.pos.file, x.pos.line, x.pos.column) < std::tie(y.pos.file, y.pos.line, y.pos.column);
    });
    throw ManifestError(std::move(a.diags));
  }
  std::sort(vars.begin(), vars.end(), [](const Variable& x, const Variable& y) { return x.name < y.name; });
  std::sort(a.manifest.outputs.begin(), a.manifest.outputs.end(),
            [](const Output& x, const Output& y) { return x.name < y.name; });
  a.manifest.digest = meaning_digest(std::move(a.meanings), vars);
  return std::move(a.manifest);
}

}  // namespace

VariableInputs VariableInputs::from_environment() {
  VariableInputs inputs;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    const std::string prefix = "CPHFORM_VAR_";
    size_t eq = entry.find('=');
    if (entry.rfind(prefix, 0) == 0 && eq != std::string::npos && eq > prefix.size())
      inputs.environment[entry.substr(prefix.size(), eq - prefix.size())] = entry.substr(eq + 1);
  }
  return inputs;
}

Manifest parse_manifest(std::string_view toml_text, const std::string& filename, const VariableInputs& inputs) {
  Assembly a;
  add_document(toml_text, filename, a);
  return assemble(a, inputs);
}

Manifest load_manifest_dir(const std::filesystem::path& dir) { return load_manifest_dir(dir, VariableInputs{}); }

Manifest load_manifest_dir(const std::filesystem::path& dir, const VariableInputs& inputs) {
  Assembly a;
  SourcePos where{dir.string(), 0, 0};
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw ManifestError({Diagnostic{where, "manifest directory \"" + dir.string() +
                                               "\" does not exist or is not a directory"}});
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec))
    if (item.path().extension() == ".toml" && item.is_regular_file()) files.push_back(item.path());
  if (ec) throw ManifestError({Diagnostic{where, "cannot list manifest directory: " + ec.message()}});
  if (files.empty())
    throw ManifestError({Diagnostic{where, "no *.toml manifest files in directory \"" + dir.string() +
                                               "\"; write one there (see examples/) or pass another directory"}});
  std::sort(files.begin(), files.end(),
            [](const auto& x, const auto& y) { return x.filename().string() < y.filename().string(); });
  size_t total = 0;
  for (const std::filesystem::path& file : files) {
    std::string shown = file.lexically_normal().string();
    std::string why;
    std::optional<std::string> text = files::read_bounded(file, limits::kMaxFileBytes, &why);
    if (!text) {
      a.error(SourcePos{shown, 1, 1}, "cannot read manifest file: it " + why);
      continue;
    }
    if ((total += text->size()) > limits::kMaxTotalBytes) {
      a.error(SourcePos{shown, 1, 1}, "the manifest files of \"" + dir.string() + "\" come to more than " +
                                          limits::with_commas(limits::kMaxTotalBytes) + " bytes (64 MiB) with this "
                                          "one; a configuration may be at most that large");
      break;
    }
    add_document(*text, shown, a);
  }
  return assemble(a, inputs);
}

}  // namespace cph::manifest
