// CPH as a provider type of the planner (resources/provider_kind.h): its
// batching of actions into steps (plan_steps.cc) and its reading of
// unfinished journal entries (reconcile.cc). Registered in registry.cc.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "resources/provider_kind.h"

namespace cph::resources {

// CPH's planning rules, as registered.
const ProviderKind& cph_provider_kind();

namespace cph_steps {

// ProviderKind::add_steps and need_not_precede.
void add_steps(const StepInput& in, std::vector<Step>& steps);
bool need_not_precede(const std::vector<Action>& actions, const Step& user, const Step& release);

// ProviderKind::entry_addresses, held_ids and reconcile.
std::vector<std::string> entry_addresses(const OpenEntry& e);
std::vector<std::string> held_ids(const OpenEntry& e);
Reconciled reconcile(const OpenEntry& e, const Inventory& live, std::set<std::string>& claimed);

// A purchase's journaled instance attributes as the state records them:
// the bandwidth block's address again instead of the table 3.4 wants
// (the step runner's purchase_attributes makes the table).
Json purchased_attributes(const Json& asked);

}  // namespace cph_steps
}  // namespace cph::resources
