// Resource addresses: block[index] parsing, natural order, compact ranges
// and -target/-replace patterns.
#include <algorithm>

#include "planner/internal.h"
#include "planner/planner.h"

namespace cph::planner {

namespace detail {

std::string instance_address(const std::string& block, bool counted, int index) {
  return counted ? block + "[" + std::to_string(index) + "]" : block;
}

}  // namespace detail

std::string compact_addresses(std::vector<std::string> addresses) {
  std::sort(addresses.begin(), addresses.end(), address_less);
  std::string out;
  for (size_t i = 0; i < addresses.size();) {
    const auto [block, first] = address_parts(addresses[i]);
    size_t j = i + 1;
    int last = first;
    while (first >= 0 && j < addresses.size()) {
      const AddressParts next = address_parts(addresses[j]);
      if (next.block != block || next.index != last + 1) break;
      last = next.index;
      ++j;
    }
    if (!out.empty()) out += ", ";
    out += j - i > 1 ? std::string(block) + "[" + std::to_string(first) + ".." + std::to_string(last) + "]" : addresses[i];
    i = j;
  }
  return out;
}

bool address_matches(const std::string& address, const std::string& pattern) {
  return address == pattern || (address.size() > pattern.size() && address.compare(0, pattern.size(), pattern) == 0 &&
                                address[pattern.size()] == '[');
}

namespace detail {

std::optional<MemberPattern> member_pattern(const std::string& pattern) {
  const size_t open = pattern.find('[');
  if (open == std::string::npos || open == 0 || pattern.back() != ']') return std::nullopt;
  std::string member = pattern.substr(open + 1, pattern.size() - open - 2);
  if (member.size() >= 2 && member.front() == '"' && member.back() == '"') member = member.substr(1, member.size() - 2);
  if (member.empty() || member.find_first_not_of("0123456789") == std::string::npos) return std::nullopt;
  return MemberPattern{pattern.substr(0, open), member};
}

std::vector<std::string> adopted_members(const resources::ResourceSchema& schema, const Json& attributes) {
  std::vector<std::string> out;
  for (const resources::Attribute& a : schema.attributes) {
    if (!a.adopts || !attributes.is_object() || !attributes.contains(a.name)) continue;
    const Json& v = attributes[a.name];
    for (const Json& id : v.is_array() ? v : Json::array({v}))
      if (id.is_string()) out.push_back(id.get<std::string>());
  }
  return out;
}

}  // namespace detail

}  // namespace cph::planner
