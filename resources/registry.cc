// The registry of provider types, and through them of every resource type:
// adding a provider adds one line here (docs/architecture.md "Adding a
// provider"). Kept apart from schema.cc so that the provider-neutral
// library does not depend on any provider.
#include "resources/provider_kind.h"
#include "resources/schema.h"

#include "resources/cph/plan_steps.h"
#include "resources/koophone/kp_kind.h"
#include "resources/tencent/bm_kind.h"

namespace cph::resources {
namespace {

// Every provider type: the one list a new provider joins.
const std::vector<const ProviderKind*>& provider_kinds() {
  static const std::vector<const ProviderKind*> kinds = {&cph_provider_kind(), &tencent_bm_provider_kind(),
                                                               &koophone_provider_kind()};
  return kinds;
}

}  // namespace

const std::vector<const ResourceSchema*>& all_schemas() {
  static const std::vector<const ResourceSchema*> schemas = [] {
    std::vector<const ResourceSchema*> all;
    for (const ProviderKind* k : provider_kinds()) all.insert(all.end(), k->schemas.begin(), k->schemas.end());
    return all;
  }();
  return schemas;
}

const ResourceSchema* find_schema(std::string_view type) {
  for (const ResourceSchema* s : all_schemas())
    if (s->type == type) return s;
  return nullptr;
}

const ProviderKind* find_provider_kind(std::string_view type) {
  for (const ProviderKind* k : provider_kinds())
    if (k->type == type) return k;
  return nullptr;
}

std::string provider_type_of(std::string_view resource_type) {
  const ResourceSchema* schema = find_schema(resource_type);
  return schema ? schema->provider_type : std::string();
}

}  // namespace cph::resources
