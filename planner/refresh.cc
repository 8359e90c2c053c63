// The refresh scope of a plan: which types (and attributes) the state and
// the manifests involve, and the ids of adopted objects, so that each
// provider reads only those (resources/provider.h: RefreshScope).
#include "planner/planner.h"
#include "resources/schema.h"

namespace cph::planner {

namespace {

// The ids in a row's or block's Attribute::adopts attributes.
void note_adopted(resources::RefreshScope& scope, const std::string& type, const Json& attributes) {
  const resources::ResourceSchema* schema = resources::find_schema(type);
  if (!schema || !attributes.is_object()) return;
  for (const resources::Attribute& a : schema->attributes) {
    if (!a.adopts || !attributes.contains(a.name)) continue;
    const Json& v = attributes[a.name];
    for (const Json& id : v.is_array() ? v : Json::array({v}))
      if (id.is_string()) scope.adopted[type].insert(id.get<std::string>());
  }
}

void note(resources::RefreshScope& scope, const std::string& type, const Json& attributes) {
  scope.note(type, attributes);
  note_adopted(scope, type, attributes);
}

}  // namespace

resources::RefreshScope refresh_scope(const manifest::Manifest* m, const std::vector<state::ResourceRow>& rows) {
  resources::RefreshScope scope;
  scope.has_records = !rows.empty();
  for (const auto& row : rows) note(scope, row.type, row.attributes);
  if (m)
    for (const auto& rc : m->resources) note(scope, rc.type, rc.attributes);
  return scope;
}

}  // namespace cph::planner
