#include "manifest/expression.h"

#include <algorithm>
#include <charconv>

#include "resources/schema.h"

namespace cph::manifest {

std::string Reference::block() const { return type + "." + name; }

std::string Reference::address() const {
  return index ? block() + "[" + std::to_string(*index) + "]" : block();
}

bool Reference::is_placeholder() const {
  if (index || !attribute.empty()) return false;
  const std::string written = type + "." + name;
  return std::any_of(resources::all_schemas().begin(), resources::all_schemas().end(),
                     [&](const resources::ResourceSchema* s) {
                       return std::find(s->placeholders.begin(), s->placeholders.end(), written) != s->placeholders.end();
                     });
}

std::string Reference::str() const { return attribute.empty() ? address() : address() + "." + attribute; }

bool Template::has_references() const {
  for (const TemplatePart& p : parts)
    if (p.ref) return true;
  return false;
}

std::string Template::render() const {
  std::string out;
  for (const TemplatePart& p : parts) {
    if (p.ref) {
      out += "${" + p.ref->str() + "}";
      continue;
    }
    for (size_t i = 0; i < p.literal.size(); ++i) {
      if (p.literal.compare(i, 2, "${") == 0) out += '$';
      out += p.literal[i];
    }
  }
  return out;
}

namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-'; }

// Reads a name at `i`; empty when there is none.
std::string read_name(std::string_view s, size_t& i) {
  size_t start = i;
  if (i < s.size() && name_start(s[i]))
    while (++i < s.size() && name_char(s[i])) {
    }
  return std::string(s.substr(start, i - start));
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

std::optional<Reference> parse_reference(std::string_view s, bool with_attribute, std::string* error) {
  const std::string shape = with_attribute ? "TYPE.NAME.ATTRIBUTE, TYPE.NAME[INDEX].ATTRIBUTE, var.NAME or terraform.workspace"
                                           : "TYPE.NAME or TYPE.NAME[INDEX]";
  auto bad = [&](const std::string& why) -> std::optional<Reference> {
    // A long text (hostile or generated) is shown by its start.
    std::string shown = s.size() > 80 ? std::string(s.substr(0, 77)) + "..." : std::string(s);
    fail(error, "\"" + shown + "\" is not a reference of the form " + shape + " (" + why + ")");
    return std::nullopt;
  };
  Reference r;
  size_t i = 0;
  r.type = read_name(s, i);
  if (r.type.empty()) return bad("expected a type name");
  if (i >= s.size() || s[i] != '.') return bad("expected \".\" after \"" + r.type + "\"");
  ++i;
  r.name = read_name(s, i);
  if (r.name.empty()) return bad("expected a name after \"" + r.type + ".\"");
  if (r.is_variable()) {
    if (i != s.size()) return bad("unexpected \"" + std::string(s.substr(i, 40)) + (s.size() - i > 40 ? "...\"" : "\"") +
                                  " after " + r.type + "." + r.name);
    return r;
  }
  if (i < s.size() && s[i] == '[') {
    size_t close = s.find(']', i);
    std::string_view digits = close == std::string_view::npos ? "" : s.substr(i + 1, close - i - 1);
    int index = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || index < 0)
      return bad("the index must be a whole number in brackets, such as [0]");
    r.index = index;
    i = close + 1;
  }
  if (with_attribute && i == s.size() && r.is_placeholder()) return r;
  if (with_attribute) {
    if (i >= s.size() || s[i] != '.') return bad("expected \".ATTRIBUTE\" after \"" + r.address() + "\"");
    ++i;
    r.attribute = read_name(s, i);
    if (r.attribute.empty()) return bad("expected an attribute name after \"" + r.address() + ".\"");
  }
  if (i != s.size()) return bad("unexpected \"" + std::string(s.substr(i, 40)) + (s.size() - i > 40 ? "...\"" : "\""));
  return r;
}

std::optional<Template> parse_template(std::string_view s, std::string* error) {
  Template t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts.push_back(TemplatePart{std::move(literal), std::nullopt});
    literal.clear();
  };
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
    } else if (s.compare(i, 2, "${") == 0) {
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        fail(error, "unterminated \"${\" at offset " + std::to_string(i) + "; close it with \"}\" or write \"$${\" "
                    "for a literal \"${\"");
        return std::nullopt;
      }
      std::string_view inner = s.substr(i + 2, close - i - 2);
      while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
      while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
      std::optional<Reference> ref = parse_reference(inner, true, error);
      if (!ref) return std::nullopt;
      flush();
      t.parts.push_back(TemplatePart{"", std::move(ref)});
      i = close + 1;
    } else {
      literal += s[i++];
    }
  }
  flush();
  return t;
}

std::vector<Reference> references(const Json& value) {
  std::vector<Reference> out;
  if (value.is_string()) {
    if (std::optional<Template> t = parse_template(value.get_ref<const std::string&>()))
      for (const TemplatePart& p : t->parts)
        if (p.ref) out.push_back(*p.ref);
  } else if (value.is_structured()) {
    for (const Json& item : value) {
      std::vector<Reference> inner = references(item);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  }
  return out;
}

Json evaluate(const Json& value, const Lookup& lookup, std::vector<Reference>* unknown) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = evaluate(it.value(), lookup, unknown);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(evaluate(item, lookup, unknown));
    return out;
  }
  if (!value.is_string()) return value;
  std::optional<Template> t = parse_template(value.get_ref<const std::string&>());
  if (!t) return value;
  std::string text;
  bool known = true;
  for (const TemplatePart& p : t->parts) {
    if (!p.ref) {
      text += p.literal;
      continue;
    }
    std::optional<Json> v = lookup(*p.ref);
    if (!v) {
      known = false;
      if (unknown) unknown->push_back(*p.ref);
      continue;
    }
    if (t->whole()) return *v;
    text += v->is_string() ? v->get<std::string>() : v->dump();
  }
  return known ? Json(text) : value;
}

bool is_known(const Json& value) { return references(value).empty(); }

}  // namespace cph::manifest
