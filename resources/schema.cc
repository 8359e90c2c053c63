#include "resources/schema.h"

#include <algorithm>
#include <regex>


namespace cph::resources {

std::string_view to_string(AttrType t) {
  switch (t) {
    case AttrType::string: return "string";
    case AttrType::integer: return "integer";
    case AttrType::boolean: return "boolean";
    case AttrType::object: return "table";
    case AttrType::list: return "array";
    case AttrType::map: return "table of strings";
  }
  return "?";
}

const Attribute* ResourceSchema::find(std::string_view name) const {
  auto it = std::find_if(attributes.begin(), attributes.end(), [&](const Attribute& a) { return a.name == name; });
  return it == attributes.end() ? nullptr : &*it;
}

std::string operation_of(const Attribute& a) { return a.update == Update::next_order ? "record" : a.operation; }

Json recorded_attributes(const ResourceSchema& schema, const Json& desired, const Json& known) {
  Json out = desired.is_object() ? desired : Json::object();
  if (!known.is_object()) return out;
  for (const Attribute& a : schema.attributes) {
    bool carry = a.update == Update::computed || (a.computed_if_unset && (!out.contains(a.name) || out[a.name].is_null()));
    if (carry && known.contains(a.name)) out[a.name] = known[a.name];
  }
  return out;
}

size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

namespace {
// Decodes UTF-8 into code points; nullopt on malformed input.
std::optional<std::u32string> decode_utf8(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return std::nullopt;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}
}  // namespace

namespace rules {

Rule one_of(std::vector<std::string> values) {
  return [values = std::move(values)](const Json& v) -> std::optional<std::string> {
    if (v.is_string() && std::find(values.begin(), values.end(), v.get<std::string>()) != values.end())
      return std::nullopt;
    std::string list;
    for (const auto& s : values) list += (list.empty() ? "\"" : ", \"") + s + "\"";
    return "must be one of " + list;
  };
}

Rule int_range(int64_t min, int64_t max) {
  return [min, max](const Json& v) -> std::optional<std::string> {
    if (v.is_number_integer() && v.get<int64_t>() >= min && v.get<int64_t>() <= max) return std::nullopt;
    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
  };
}

Rule max_bytes(size_t n) {
  return [n](const Json& v) -> std::optional<std::string> {
    if (v.is_string() && v.get_ref<const std::string&>().size() <= n) return std::nullopt;
    return "must be at most " + std::to_string(n) + " bytes";
  };
}

Rule not_empty() {
  return [](const Json& v) -> std::optional<std::string> {
    if (v.is_string() && !v.get_ref<const std::string&>().empty()) return std::nullopt;
    return "must not be empty";
  };
}

Rule server_name(size_t max_chars) {
  return characters(1, max_chars, {.letters = true, .digits = true, .extra = U"_-", .chinese = true},
                    "must be 1 to " + std::to_string(max_chars) +
                        " characters of A-Z a-z 0-9 _ - or Chinese characters (CPH API: Purchase cloud phone servers)");
}

Rule characters(size_t min_chars, size_t max_chars, CharClass allowed, std::string rule) {
  return [=](const Json& v) -> std::optional<std::string> {
    if (!v.is_string()) return rule;
    auto cps = decode_utf8(v.get_ref<const std::string&>());
    if (!cps || cps->size() < min_chars || cps->size() > max_chars) return rule;
    for (char32_t c : *cps) {
      bool ok = (allowed.letters && ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'))) ||
                (allowed.digits && c >= U'0' && c <= U'9') || allowed.extra.find(c) != std::u32string::npos ||
                (allowed.chinese && c >= 0x4E00 && c <= 0x9FFF);
      if (!ok) return rule;
    }
    return std::nullopt;
  };
}

Rule uuid() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex re("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    if (v.is_string() && std::regex_match(v.get_ref<const std::string&>(), re)) return std::nullopt;
    return "must be a UUID such as fca063f6-b942-42a8-9004-e5545f58d6a2 (CPH API: Purchase cloud phone servers)";
  };
}

Rule matches(std::string pattern, std::string rule) {
  return [re = std::regex(pattern), rule = std::move(rule)](const Json& v) -> std::optional<std::string> {
    if (v.is_string() && std::regex_match(v.get_ref<const std::string&>(), re)) return std::nullopt;
    return rule;
  };
}

Rule tags(size_t max_tags) {
  return [max_tags](const Json& v) -> std::optional<std::string> {
    const std::string rule = "must hold at most " + std::to_string(max_tags) +
                             " tags, keys of 1 to 127 characters not starting with _sys_, values of at most 255 "
                             "characters (CPH API: Tag management)";
    if (!v.is_object() || v.size() > max_tags) return rule;
    for (auto it = v.begin(); it != v.end(); ++it) {
      size_t key_length = utf8_length(it.key());
      if (key_length == 0 || key_length > 127 || it.key().rfind("_sys_", 0) == 0) return rule;
      if (!it.value().is_string() || utf8_length(it.value().get_ref<const std::string&>()) > 255) return rule;
    }
    return std::nullopt;
  };
}

}  // namespace rules
}  // namespace cph::resources
