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

}  // namespace cph::planner
