// Which provider instance owns what (issue 13, named providers): a recorded
// row, a manifest block, a journaled operation; and the inventory its
// refresh read.
#include "planner/internal.h"
#include "resources/schema.h"

namespace cph::planner::detail {

std::string row_owner(const PlanInput& in, const state::ResourceRow& row) {
  if (!row.provider.empty()) return row.provider;
  // Written before providers had names, or by the provider named after its
  // type: that one when declared; else the one the block names now (the
  // row is not moved by upgrading), else the only one of the type.
  const resources::ResourceSchema* schema = resources::find_schema(row.type);
  const std::string type = schema ? schema->provider_type : "";
  if (!in.manifest || in.manifest->find_provider(type)) return type;
  if (const manifest::ResourceConfig* rc = in.manifest->find(block_of(row.address))) return rc->provider;
  const manifest::ProviderConfig* only = nullptr;
  for (const manifest::ProviderConfig& p : in.manifest->providers)
    if (p.type == type) {
      if (only) return type;
      only = &p;
    }
  return only ? only->name : type;
}

std::string address_owner(const PlanInput& in, const std::string& address) {
  if (in.manifest)
    if (const manifest::ResourceConfig* rc = in.manifest->find(block_of(address))) return rc->provider;
  for (const state::ResourceRow& row : in.rows)
    if (row.address == address) return row_owner(in, row);
  return in.manifest ? in.manifest->provider.name : "";
}

const resources::Inventory& inventory_of(const PlanInput& in, const std::string& provider) {
  auto it = in.inventories.find(provider);
  return it != in.inventories.end() ? *it->second : *in.live;
}

}  // namespace cph::planner::detail
