// [provider] and [provider.NAME] tables, and each resource block's
// provider instance (issue 13, named providers; docs/manifest-language.md
// "Providers").
#include "manifest/providers.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/duration.h"
#include "manifest/validate.h"
#include "resources/provider_kind.h"
#include "resources/schema.h"

namespace cph::manifest::detail {

bool valid_label(const std::string& s) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (s.empty() || !alpha(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '-'; });
}

namespace {

// One provider table being read: its config and the name messages give it
// ("provider" for the single form, "provider.east" for a named one).
struct Reader {
  ProviderConfig& p;
  std::string label;
  std::vector<Diagnostic>& diags;
  std::map<std::string, SourcePos> setting_pos = {};  // where each type-specific setting is written
  void error(const SourcePos& pos, std::string message) { diags.push_back(Diagnostic{pos, std::move(message)}); }
};

const std::vector<std::string>& attribute_keys() {
  static const std::vector<std::string> keys = {"endpoint", "region",   "project_id", "pay_orders", "timeouts",
                                                "ca_file",  "insecure", "endpoints",  "type"};
  return keys;
}

// Attributes some provider type takes (ProviderKind::settings), and the
// types that take `key`.
std::set<std::string> types_taking(const std::string& key) {
  std::set<std::string> types;
  for (const resources::ResourceSchema* s : resources::all_schemas())
    if (const resources::ProviderKind* kind = resources::find_provider_kind(s->provider_type))
      if (std::find(kind->settings.begin(), kind->settings.end(), key) != kind->settings.end())
        types.insert(kind->type);
  return types;
}

bool is_attribute(const std::string& key) {
  const std::vector<std::string>& keys = attribute_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end() || !types_taking(key).empty();
}

// The provider types resource schemas name ("cph"), sorted.
std::set<std::string> known_types() {
  std::set<std::string> types;
  for (const resources::ResourceSchema* s : resources::all_schemas()) types.insert(s->provider_type);
  return types;
}

std::string joined(const std::set<std::string>& items, const std::string& prefix = "") {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + prefix + i;
  return out;
}

// Once the type is known: each type-specific setting belongs to it.
void check_settings(Reader& r) {
  for (const auto& [key, pos] : r.setting_pos) {
    const std::set<std::string> types = types_taking(key);
    if (!types.count(r.p.type))
      r.error(pos, r.label + ": attribute \"" + key + "\" is for " + joined(types) + " providers, not \"" +
                       r.p.type + "\"");
  }
}

// "emulator", or http(s)://host[:port][/path] with a plain or [IPv6] host.
bool valid_endpoint(const std::string& s) {
  if (s == "emulator") return true;
  std::string rest;
  if (s.rfind("https://", 0) == 0) rest = s.substr(8);
  else if (s.rfind("http://", 0) == 0) rest = s.substr(7);
  else return false;
  std::string authority = rest.substr(0, rest.find('/'));
  std::string path = rest.substr(authority.size());
  if (path.find_first_of(" \t\r\n") != std::string::npos) return false;
  std::string host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return false;
    if (!after.empty()) port = after.substr(1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) return false;
  } else {
    if (size_t colon = authority.find(':'); colon != std::string::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty() || host.front() == '.' || host.front() == '-' ||
        host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != std::string::npos)
      return false;
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
    int n = std::stoi(port);
    if (n < 1 || n > 65535) return false;
  }
  return true;
}

// "500ms", "10s", "2m": a deadline of [provider] timeouts, 100 ms to 60 minutes.
// The unit is required: a bare "30" reads as seconds to some and ms to others.
std::optional<std::chrono::milliseconds> parse_timeout(const std::string& s) {
  if (s.empty() || s.back() < 'a' || s.back() > 'z') return std::nullopt;
  const auto d = parse_duration_text(s);
  if (!d || *d < std::chrono::milliseconds(100) || *d > std::chrono::minutes(60)) return std::nullopt;
  return d;
}

void read_timeouts(const doc::Node& v, Reader& a) {
  if (v.kind != doc::Kind::table)
    return a.error(v.pos, a.label + ": " + "attribute \"timeouts\" must be a table such as { connect = \"10s\", "
                          "tls = \"10s\", read = \"30s\", request = \"60s\" } (got " +
                              std::string(doc::kind_name(v.kind)) + " " + doc::brief(v) + ")");
  static const std::vector<std::string> keys = {"connect", "tls", "read", "request"};
  ProviderConfig::Timeouts& t = a.p.timeouts;
  for (const doc::Entry& e : v.entries) {
    if (std::find(keys.begin(), keys.end(), e.key) == keys.end()) {
      a.error(e.key_pos, a.label + ": " + "unknown timeout \"" + e.key + "\" (connect, tls, read or request)" +
                             suggestion(e.key, keys));
      continue;
    }
    std::optional<std::chrono::milliseconds> d;
    if (e.value.kind == doc::Kind::string) d = parse_timeout(e.value.scalar.get_ref<const std::string&>());
    if (!d) {
      a.error(e.value.pos, a.label + ": " + "timeouts." + e.key + " must be a duration such as \"30s\", \"500ms\" or "
                           "\"2m\", from 100ms to 60m (got " + doc::brief(e.value) + ")");
      continue;
    }
    (e.key == "connect" ? t.connect : e.key == "tls" ? t.tls : e.key == "read" ? t.read : t.request) = d;
  }
}

// endpoints = { cph = "...", iam = "...", kps = "...", bss = "..." }: a URL per
// service, overriding the one derived from the region.
void read_endpoints(const doc::Node& v, Reader& a) {
  if (v.kind != doc::Kind::table)
    return a.error(v.pos, a.label + ": " + "attribute \"endpoints\" must be a table such as { cph = \"https://...\", "
                          "bss = \"https://bss-intl.myhuaweicloud.com\" } (got " +
                              std::string(doc::kind_name(v.kind)) + " " + doc::brief(v) + ")");
  static const std::vector<std::string> keys = {"cph", "iam", "kps", "bss"};
  for (const doc::Entry& e : v.entries) {
    if (std::find(keys.begin(), keys.end(), e.key) == keys.end()) {
      a.error(e.key_pos, a.label + ": " + "unknown service \"" + e.key + "\" in endpoints (cph, iam, kps or bss)" +
                             suggestion(e.key, keys));
      continue;
    }
    const bool is_url = e.value.kind == doc::Kind::string && e.value.scalar.get_ref<const std::string&>() != "emulator" &&
                        valid_endpoint(e.value.scalar.get_ref<const std::string&>());
    if (!is_url) {
      a.error(e.value.pos, a.label + ": " + "endpoints." + e.key + " must be an http:// or https:// URL such as \"https://" +
                               e.key + ".cn-east-3.myhuaweicloud.com\" (got " + doc::brief(e.value) + ")");
      continue;
    }
    a.p.endpoints[e.key] = e.value.scalar.get<std::string>();
  }
}

// endpoint, region, ca_file, pay_orders, project_id and type: strings.
void read_string(const doc::Entry& e, Reader& a) {
  const doc::Node& v = e.value;
  ProviderConfig& p = a.p;
  const std::string& s = v.scalar.get_ref<const std::string&>();
  if (e.key == "endpoint") {
    if (!valid_endpoint(s))
      a.error(v.pos, a.label + ": attribute \"endpoint\" must be \"emulator\" or an http:// or https:// URL "
                     "such as \"https://cph.cn-east-3.myhuaweicloud.com\" (got " + doc::brief(v) + ")");
    else p.endpoint = s;
  } else if (e.key == "region") {
    if (s.empty() || s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      a.error(v.pos, a.label + ": attribute \"region\" must be a region name of a-z 0-9 and -, such as "
                     "\"cn-east-3\" (got " + doc::brief(v) + ")");
    else p.region = s;
  } else if (e.key == "ca_file") {
    if (s.empty()) a.error(v.pos, a.label + ": attribute \"ca_file\" must be the path of a PEM CA bundle (got \"\")");
    else p.ca_file = s;
  } else if (e.key == "pay_orders") {
    if (s != "auto" && s != "bss" && s != "manual")
      a.error(v.pos, a.label + ": attribute \"pay_orders\" must be \"auto\" (orders pay themselves), \"bss\" "
                     "(cphform pays them through BSS) or \"manual\" (apply stops at an unpaid order) (got " +
                         doc::brief(v) + ")");
    else p.pay_orders = s;
  } else if (e.key == "type") {
    const std::set<std::string> types = known_types();
    if (!types.count(s))
      a.error(v.pos, a.label + ": attribute \"type\" must be a provider type (" + joined(types) + ") (got " +
                         doc::brief(v) + ")");
    else p.type = s;
  } else {
    if (s.empty() || s.find_first_of(" \t\r\n/") != std::string::npos)
      a.error(v.pos, a.label + ": attribute \"project_id\" must be the IAM project id, non-empty and without "
                     "spaces or / (got " + doc::brief(v) + ")");
    else p.project_id = s;
  }
}

void read_attribute(const doc::Entry& e, Reader& a) {
  const doc::Node& v = e.value;
  if (!types_taking(e.key).empty()) {  // a type's own setting: checked against the type once it is known
    if (v.kind != doc::Kind::string || v.scalar.get_ref<const std::string&>().empty())
      a.error(v.pos, a.label + ": attribute \"" + e.key + "\" must be a non-empty string");
    else a.p.settings[e.key] = v.scalar.get<std::string>();
    a.setting_pos[e.key] = e.key_pos;
    return;
  }
  if (!is_attribute(e.key)) {
    a.error(e.key_pos, a.label + ": unknown attribute \"" + e.key + "\"" + suggestion(e.key, attribute_keys()));
  } else if (e.key == "timeouts") {
    read_timeouts(v, a);
  } else if (e.key == "endpoints") {
    read_endpoints(v, a);
  } else if (e.key == "insecure") {
    if (v.kind != doc::Kind::boolean)
      a.error(v.pos, a.label + ": attribute \"insecure\" must be true or false (got " +
                         std::string(doc::kind_name(v.kind)) + " " + doc::brief(v) + ")");
    else a.p.insecure = v.scalar.get<bool>();
  } else if (v.kind != doc::Kind::string) {
    a.error(v.pos, a.label + ": attribute \"" + e.key + "\" must be a string (got " +
                       std::string(doc::kind_name(v.kind)) + " " + doc::brief(v) + ")");
  } else {
    read_string(e, a);
  }
}

// A declared provider of the same name, if any.
const ProviderConfig* find_declared(const ProviderTables& t, const std::string& name) {
  for (const ProviderConfig& p : t.declared)
    if (p.name == name) return &p;
  return nullptr;
}

// [provider.NAME]: its type is `type`, or NAME when NAME is a provider type.
void read_named(const doc::Entry& e, ProviderTables& t, std::vector<Diagnostic>& diags) {
  const std::string label = "provider." + e.key;
  if (!valid_label(e.key))
    return diags.push_back({e.key_pos, label + ": provider name \"" + e.key + "\" must match "
                                           "^[A-Za-z_][A-Za-z0-9_-]*$; resources name it as provider = \"" +
                                           "provider.NAME\""});
  if (const ProviderConfig* seen = find_declared(t, e.key))
    return diags.push_back({e.value.pos, label + ": provider \"" + e.key + "\" is also defined at " +
                                             seen->pos.str() + "; provider names must be unique across the "
                                             "manifest files (the single [provider] is named after its type)"});
  ProviderConfig p;
  p.name = e.key;
  p.pos = e.value.pos;
  Reader r{p, label, diags};
  size_t errors = diags.size();
  for (const doc::Entry& attr : e.value.entries) read_attribute(attr, r);
  if (p.type.empty() && known_types().count(p.name)) p.type = p.name;
  if (p.type.empty() && diags.size() == errors)
    diags.push_back({p.pos, label + ": attribute \"type\" is required: the provider type, one of " +
                                joined(known_types()) + " (it may be left out when the name is the type, as in "
                                "[provider.cph])"});
  if (!p.type.empty()) check_settings(r);
  t.declared.push_back(std::move(p));
}

}  // namespace

void read_providers(const doc::Entry& entry, ProviderTables& t, std::vector<Diagnostic>& diags) {
  const doc::Node& table = entry.value;
  if (table.kind != doc::Kind::table)
    return diags.push_back({table.pos, "provider: must be a table, written [provider] (got " +
                                           std::string(doc::kind_name(table.kind)) + ")"});
  // A table under a name that is not an attribute is a named provider;
  // everything else belongs to the single [provider] form.
  auto named = [](const doc::Entry& e) { return !is_attribute(e.key) && e.value.kind == doc::Kind::table; };
  bool any_named = std::any_of(table.entries.begin(), table.entries.end(), named);
  bool any_attribute = !std::all_of(table.entries.begin(), table.entries.end(), named);
  for (const doc::Entry& e : table.entries)
    if (named(e)) read_named(e, t, diags);
  if (any_named && !any_attribute) return;
  if (t.unnamed_at)
    return diags.push_back({table.pos, "provider: [provider] is also defined at " + t.unnamed_at->str() +
                                           "; keep a single [provider] table across the manifest files"});
  t.unnamed_at = table.pos;
  ProviderConfig p;
  p.pos = table.pos;
  // Where the single form's own attributes start (the table itself may be
  // located at a [provider.NAME] header when that came first).
  SourcePos first = table.pos;
  for (const doc::Entry& e : table.entries)
    if (!named(e)) {
      first = e.key_pos;
      break;
    }
  Reader r{p, "provider", diags};
  for (const doc::Entry& e : table.entries)
    if (!named(e)) read_attribute(e, r);
  if (p.type.empty()) p.type = *known_types().begin();
  check_settings(r);
  p.name = p.type;  // the provider named after its type
  if (const ProviderConfig* seen = find_declared(t, p.name))
    return diags.push_back({first, "provider: [provider] is the provider \"" + p.name + "\", also defined at " +
                                           seen->pos.str() + "; keep one of them"});
  t.declared.push_back(std::move(p));
}

namespace {

// The provider instance a block names with provider = "provider.NAME", or
// nullopt after reporting why it names none.
std::optional<std::string> named_choice(const ResourceConfig& rc, const std::string& ptype,
                                        const std::vector<ProviderConfig>& providers, std::vector<Diagnostic>& diags) {
  const SourcePos& at = rc.pos_of("provider");
  std::set<std::string> names;
  for (const ProviderConfig& p : providers) names.insert(p.name);
  const std::string written = rc.provider;
  std::string name = written.rfind("provider.", 0) == 0 ? written.substr(9) : "";
  auto it = std::find_if(providers.begin(), providers.end(), [&](const ProviderConfig& p) { return p.name == name; });
  if (it == providers.end()) {
    diags.push_back({at, rc.address() + ": unknown provider \"" + written + "\"; declared: " +
                             joined(names, "provider.") + " (declare it as [provider." +
                             (name.empty() ? std::string("NAME") : name) + "] with type = \"" + ptype + "\")"});
    return std::nullopt;
  }
  if (it->type != ptype) {
    diags.push_back({at, rc.address() + ": provider \"" + written + "\" is of type \"" + it->type + "\", but \"" +
                             rc.type + "\" resources belong to \"" + ptype + "\" providers"});
    return std::nullopt;
  }
  return name;
}

}  // namespace

void resolve_providers(Manifest& m, ProviderTables& t, std::vector<Diagnostic>& diags) {
  std::vector<ProviderConfig>& providers = t.declared;
  auto of_type = [&](const std::string& type) {
    std::vector<const ProviderConfig*> out;
    for (const ProviderConfig& p : providers)
      if (p.type == type) out.push_back(&p);
    return out;
  };
  // A type in use with no provider declared gets the implicit one named
  // after it, with every setting at its default (as an absent [provider] was).
  std::set<std::string> used;
  for (const ResourceConfig& rc : m.resources) used.insert(resources::find_schema(rc.type)->provider_type);
  if (providers.empty()) used.insert(*known_types().begin());
  for (const std::string& type : used)
    if (of_type(type).empty() && !find_declared(t, type)) {
      ProviderConfig p;
      p.name = p.type = type;
      providers.push_back(std::move(p));
    }
  std::sort(providers.begin(), providers.end(),
            [](const ProviderConfig& x, const ProviderConfig& y) { return x.name < y.name; });
  for (ResourceConfig& rc : m.resources) {
    const std::string ptype = resources::find_schema(rc.type)->provider_type;
    if (rc.provider.empty() && rc.positions.count("provider")) continue;  // written wrong: reported already
    if (!rc.provider.empty()) {
      std::optional<std::string> name = named_choice(rc, ptype, providers, diags);
      rc.provider = name.value_or("");
      continue;
    }
    std::vector<const ProviderConfig*> candidates = of_type(ptype);
    if (candidates.size() == 1) {
      rc.provider = candidates[0]->name;
      continue;
    }
    std::set<std::string> names;
    for (const ProviderConfig* p : candidates) names.insert(p->name);
    if (names.empty()) {  // [provider.cph] declared with another type
      diags.push_back({rc.pos, rc.address() + ": no "" + ptype + "" provider is declared; declare one as "
                                   "[provider.NAME] with type = \"" + ptype + "\""});
      continue;
    }
    diags.push_back({rc.pos, rc.address() + ": several \"" + ptype + "\" providers are declared (" +
                                 joined(names, "provider.") + "); choose one with provider = \"provider." +
                                 *names.begin() + "\""});
  }
  // The default: the one named after its type when declared, else the first.
  auto named_after_type = std::find_if(providers.begin(), providers.end(),
                                       [](const ProviderConfig& p) { return p.name == p.type; });
  m.provider = named_after_type != providers.end() ? *named_after_type : providers.front();
  m.providers = std::move(providers);
}

}  // namespace cph::manifest::detail
