#include "resources/write_only.h"

#include <stdexcept>

#include "common/crypto.h"

namespace cph::resources {

namespace {
constexpr std::string_view kDigestPrefix = "hmac-sha256:";
}

std::string new_write_only_key() { return crypto::random_hex(32); }

std::string write_only_digest(std::string_view key, const Json& value) {
  if (key.empty()) throw std::logic_error("write-only digest without the state's key");
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return std::string(kDigestPrefix) + crypto::hmac_sha256_hex(key, text);
}

bool is_write_only_digest(const Json& value) {
  return value.is_string() && value.get_ref<const std::string&>().starts_with(kDigestPrefix) &&
         value.get_ref<const std::string&>().size() == kDigestPrefix.size() + 64;
}

bool write_only_matches(std::string_view key, const Json& recorded, const Json& wanted) {
  if (key.empty() || !is_write_only_digest(recorded) || wanted.is_null()) return false;
  return crypto::equal_constant_time(recorded.get_ref<const std::string&>(), write_only_digest(key, wanted));
}

Json with_write_only_digests(const ResourceSchema& schema, Json attributes, std::string_view key) {
  if (!attributes.is_object()) return attributes;
  for (const Attribute& a : schema.attributes) {
    if (!a.write_only) continue;
    auto it = attributes.find(a.name);
    if (it == attributes.end() || it->is_null() || is_write_only_digest(*it)) continue;
    *it = write_only_digest(key, *it);
  }
  return attributes;
}

std::vector<std::string> write_only_attributes(const ResourceSchema& schema) {
  std::vector<std::string> out;
  for (const Attribute& a : schema.attributes)
    if (a.write_only) out.push_back(a.name);
  return out;
}

}  // namespace cph::resources
