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

AddressParts address_parts(std::string_view a) {
  const size_t open = a.find('[');
  if (open == std::string_view::npos || a.empty() || a.back() != ']' || open + 2 >= a.size() || a.size() - open - 2 > 9)
    return {a, -1};
  int index = 0;
  for (size_t i = open + 1; i + 1 < a.size(); ++i) {
    if (a[i] < '0' || a[i] > '9') return {a, -1};
    index = index * 10 + (a[i] - '0');
  }
  return {a.substr(0, open), index};
}

// address_less runs in every sort and ordered set of addresses: hence
// address_parts, which does not allocate.
bool address_less(const std::string& a, const std::string& b) {
  const AddressParts x = address_parts(a), y = address_parts(b);
  return x.block != y.block ? x.block < y.block : x.index < y.index;
}

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
