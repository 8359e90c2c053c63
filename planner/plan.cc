#include "planner/plan.h"

#include <algorithm>

namespace cph::planner {

std::string_view to_string(ActionKind k) {
  switch (k) {
    case ActionKind::create: return "create";
    case ActionKind::update: return "update";
    case ActionKind::replace: return "replace";
    case ActionKind::remove: return "delete";
  }
  return "?";
}

std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::purchase: return "purchase";
    case StepKind::rename: return "rename";
    case StepKind::unsubscribe: return "unsubscribe";
  }
  return "?";
}

int Plan::count(ActionKind kind) const {
  return static_cast<int>(std::count_if(actions.begin(), actions.end(), [&](const Action& a) { return a.kind == kind; }));
}

}  // namespace cph::planner
