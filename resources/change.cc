#include "resources/change.h"

namespace cph::resources {

std::string_view to_string(ActionKind k) {
  switch (k) {
    case ActionKind::create: return "create";
    case ActionKind::update: return "update";
    case ActionKind::switch_phones: return "switch";
    case ActionKind::replace: return "replace";
    case ActionKind::remove: return "delete";
  }
  return "?";
}

std::string_view to_string(StepRole r) {
  switch (r) {
    case StepRole::forward: return "forward";
    case StepRole::release: return "release";
    case StepRole::detach: return "detach";
  }
  return "?";
}

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

std::string range_address(const std::vector<std::string>& addresses) {
  if (addresses.empty()) return "";
  if (addresses.size() == 1) return addresses.front();
  return addresses.front() + ".." + addresses.back();
}

}  // namespace cph::resources
