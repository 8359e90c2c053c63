#include "planner/plan.h"

#include "resources/schema.h"

#include <algorithm>

namespace cph::planner {

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

std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::purchase: return "purchase";
    case StepKind::unsubscribe: return "unsubscribe";
    case StepKind::rename: return "rename";
    case StepKind::change_model: return "change_model";
    case StepKind::switch_server: return "switch";
    case StepKind::open_access: return "open_access";
    case StepKind::tags: return "tags";
    case StepKind::create_keypair: return "create_keypair";
    case StepKind::delete_keypair: return "delete_keypair";
    case StepKind::resize_bandwidth: return "resize_bandwidth";
    case StepKind::adopt_bandwidth: return "adopt_bandwidth";
    case StepKind::forget: return "forget";
    case StepKind::push_share: return "push_share";
    case StepKind::delete_share: return "delete_share";
    case StepKind::record: return "record";
  }
  return "?";
}

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}
}  // namespace

PlanError::PlanError(std::vector<std::string> p) : std::runtime_error(join_lines(p)), problems(std::move(p)) {}

int Plan::count(ActionKind kind) const {
  return static_cast<int>(std::count_if(actions.begin(), actions.end(), [&](const Action& a) { return a.kind == kind; }));
}

std::string recorded_provider(const std::string& provider, const std::string& type_or_address) {
  const resources::ResourceSchema* schema = resources::find_schema(type_or_address.substr(0, type_or_address.find('.')));
  return schema && schema->provider_type == provider ? "" : provider;
}

}  // namespace cph::planner
