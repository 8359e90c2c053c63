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

std::string range_address(const std::vector<std::string>& addresses) {
  if (addresses.empty()) return "";
  if (addresses.size() == 1) return addresses.front();
  return addresses.front() + ".." + addresses.back();
}

}  // namespace cph::resources
