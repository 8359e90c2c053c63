// The registry of resource types: every provider's schemas, in one list.
// Adding a provider adds its schemas here (docs/architecture.md "Adding a
// provider"). Kept apart from schema.cc so that the provider-neutral
// library does not depend on any provider.
#include "resources/schema.h"

#include "resources/cph/fleet_schemas.h"
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

}  // namespace cph::resources
