#include "planner/plan.h"

#include "resources/schema.h"

#include <algorithm>

namespace cph::planner {

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
