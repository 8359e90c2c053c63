// The registry of resource types and provider types: every provider's
// schemas and planning rules, in one list each. Adding a provider adds them
// here (docs/architecture.md "Adding a provider"). Kept apart from
// schema.cc so that the provider-neutral library does not depend on any
// provider.
#include "resources/provider_kind.h"
#include "resources/schema.h"

#include "resources/cph/fleet_schemas.h"
#include "resources/cph/plan_steps.h"
#include "resources/cph/server.h"

namespace cph::resources {

const std::vector<const ResourceSchema*>& all_schemas() {
  static const std::vector<const ResourceSchema*> schemas = {&server_schema(), &bandwidth_schema(), &keypair_schema(),
                                                             &share_app_schema(), &share_file_schema()};
  return schemas;
}

const ResourceSchema* find_schema(std::string_view type) {
  for (const ResourceSchema* s : all_schemas())
    if (s->type == type) return s;
  return nullptr;
}

const ProviderKind* find_provider_kind(std::string_view type) {
  static const std::vector<const ProviderKind*> kinds = {&cph_provider_kind()};
  for (const ProviderKind* k : kinds)
    if (k->type == type) return k;
  return nullptr;
}

std::string provider_type_of(std::string_view resource_type) {
  const ResourceSchema* schema = find_schema(resource_type);
  return schema ? schema->provider_type : std::string();
}

}  // namespace cph::resources
