// The refresh scope of a plan: which types (and attributes) the state and
// the manifests involve, so that the provider reads only those
// (resources/provider.h: RefreshScope).
#include "planner/planner.h"

namespace cph::planner {

resources::RefreshScope refresh_scope(const manifest::Manifest* m, const std::vector<state::ResourceRow>& rows) {
  resources::RefreshScope scope;
  scope.has_records = !rows.empty();
  for (const auto& row : rows) scope.note(row.type, row.attributes);
  if (m)
    for (const auto& rc : m->resources) scope.note(rc.type, rc.attributes);
  return scope;
}

}  // namespace cph::planner
