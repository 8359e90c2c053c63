// docs/manifest.md from the descriptors: `cphform docs manifest` prints it,
// and a test fails when the committed file differs.
#include "resources/schema_doc.h"

#include <regex>

namespace cph::resources {
namespace {

// Table cells: no line breaks, and '|' would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += ' ';
    else if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

bool is_bare_key(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

// A JSON value written as TOML: "5_bgp", 1, false, [], { unit = "month" }.
std::string toml_value(const Json& v) {
  if (v.is_array()) {
    std::string out = "[";
    for (size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + toml_value(v[k]);
    return out + "]";
  }
  if (v.is_object()) {
    if (v.empty()) return "{}";
    std::string out = "{ ";
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      out += (first ? "" : ", ") + (is_bare_key(key) ? key : Json(key).dump()) + " = " + toml_value(value);
      first = false;
    }
    return out + " }";
  }
  return v.dump();
}

std::string type_text(const Attribute& a) {
  switch (a.type) {
    case AttrType::object:
      return "table";
    case AttrType::map:
      return "map (table of strings, any keys)";
    case AttrType::list:
      if (a.element == AttrType::object) return "array of tables";
      return "array of " + std::string(to_string(a.element)) + "s";
    default:
      return std::string(to_string(a.type));
  }
}

std::string change_text(const Attribute& a) {
  std::string via = a.update_api.empty() ? "" : " via `" + a.update_api + "`";
  if (a.write_only) via += "; write-only: never stored, state keeps a keyed digest";
  switch (a.update) {
    case Update::in_place:
      return "in place" + via;
    case Update::destructive:
      return "switch (destroys phone data)" + via;
    case Update::force_new:
      return "forces replacement";
    case Update::computed:
      return "computed (set by the cloud)";
    case Update::next_order:
      return "applies to new orders and renewals only (recorded, no call)";
  }
  return "";
}

std::string default_text(const Attribute& a) {
  if (!a.default_value.is_null()) return "`" + toml_value(a.default_value) + "`";
  if (a.computed_if_unset) return "unset: as the cloud has it";
  return "";
}

std::string reference_text(const Attribute& a) {
  if (a.reference_to.empty()) return "";
  std::string address = "`" + a.reference_to + ".NAME`";
  return a.type == AttrType::list ? "each element: " + address : address;
}

std::string rules_text(const Attribute& a) {
  std::string out;
  for (const Rule& rule : a.rules)
    if (std::optional<std::string> text = rule_text(a, rule)) out += (out.empty() ? "" : "; ") + *text;
  return out;
}

void attribute_rows(const Attribute& a, const std::string& path, std::string& out) {
  out += "| `" + path + "` | " + type_text(a) + " | " +
         (a.update == Update::computed ? "no" : a.required ? "yes" : "no") + " | " + cell(default_text(a)) + " | " +
         cell(a.description) + " | " + cell(change_text(a)) + " | " + reference_text(a) + " | " +
         cell(rules_text(a)) + " |\n";
  const std::string prefix = path + (a.type == AttrType::list ? "[]." : ".");
  for (const Attribute& field : a.fields) attribute_rows(field, prefix + field.name, out);
}

void render_schema(const ResourceSchema& s, std::string& out) {
  out += "\n## " + s.type + "\n\n" + s.description + "\n\n";
  out += "- Block: `[" + s.type + ".NAME]`, address `" + s.type + ".NAME`.\n";
  if (s.supports_count)
    out += "- `count`: supported; `count = N` makes the instances `" + s.type + ".NAME[0]` to `" + s.type +
           ".NAME[N-1]`.\n";
  else
    out += "- `count`: not supported.\n";
  if (!s.identity.empty())
    out += "- Identity: `" + s.identity + "` names the cloud object; two blocks naming the same one are an error.\n";
  out += "\n| attribute | type | required | default | description | change | references | rules |\n";
  out += "|---|---|---|---|---|---|---|---|\n";
  for (const Attribute& a : s.attributes) attribute_rows(a, a.name, out);
}

}  // namespace

std::optional<std::string> rule_text(const Attribute& attribute, const Rule& rule) {
  // Values of each JSON type except the attribute's own (and, for arrays,
  // their elements'), since a rule may be run on either.
  auto own = [&](AttrType t, const Json& v) {
    switch (t) {
      case AttrType::string: return v.is_string();
      case AttrType::integer: return v.is_number_integer();
      case AttrType::boolean: return v.is_boolean();
      case AttrType::object:
      case AttrType::map: return v.is_object();
      case AttrType::list: return v.is_array();
    }
    return false;
  };
  static const std::vector<Json> kProbes = {Json(nullptr), Json(true), Json(0), Json(1.5),
                                            Json("\x01"),  Json::array(), Json::object()};
  std::optional<std::string> text;
  for (const Json& probe : kProbes) {
    if (own(attribute.type, probe) || (attribute.type == AttrType::list && own(attribute.element, probe))) continue;
    std::optional<std::string> message;
    try {
      message = rule(probe);
    } catch (...) {
      return std::nullopt;
    }
    if (!message || message->empty() || (text && *text != *message)) return std::nullopt;
    text = message;
  }
  // "must be a string": the probe's type was refused, the rule is not told.
  static const std::regex kTypeComplaint(
      R"(^(must be|expected|is not) an? (string|integer|number|boolean|bool|table|array|list|object|map)( of \w+)?\.?$)");
  if (!text || std::regex_match(*text, kTypeComplaint)) return std::nullopt;
  return text;
}

std::string render_manifest_reference() {
  std::string out =
      "# Manifest reference\n"
      "\n"
      "<!-- Generated from the resource descriptors (resources/) by `cphform docs manifest`; do not edit.\n"
      "     Regenerate with: cphform docs manifest > docs/manifest.md -->\n"
      "\n"
      "Every resource is a TOML table `[TYPE.NAME]` in one of the directory's `*.toml` files. Keys of a\n"
      "nested table are listed as `table.key`, keys of the tables in an array as `array[].key`.\n"
      "\n"
      "The change column says how a change of the attribute is carried out: *in place* by the API named,\n"
      "*switch* in place by an API that recreates the phones and loses their data (refused by apply\n"
      "unless `-allow-data-loss` or `lifecycle.allow_data_loss` is set), *forces replacement* (the\n"
      "resource is destroyed and created again; a server only with the same consent), *applies to new\n"
      "orders and renewals only* (recorded in state with no call, never a replacement), or *computed*:\n"
      "set by the cloud, never by the manifest. docs/semantics.md says what unset attributes mean.\n"
      "References name another resource by its address instead of giving a value. The rules column\n"
      "gives each attribute's rules where their text can be read from the descriptor; rules that span\n"
      "several attributes are checked when the manifests are loaded and are not listed.\n"
      "\n"
      "Resource types:\n"
      "\n";
  for (const ResourceSchema* s : all_schemas()) out += "- [" + s->type + "](#" + s->type + "): " + s->description + "\n";
  for (const ResourceSchema* s : all_schemas()) render_schema(*s, out);
  return out;
}

}  // namespace cph::resources
