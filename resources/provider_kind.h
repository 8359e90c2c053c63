// What a provider type adds to planning, without a connection to its cloud
// (issue 13; docs/architecture.md "Adding a provider"): how the planned
// actions of its resource types become steps (its batching: orders of ten,
// one call for many servers), and what an unfinished journal entry of an
// earlier run means now. The planner keeps what every provider shares: the
// blocks' dependency edges, the order of the graph, which entries a run
// selects. Registered with one line in registry.cc, which lists its
// resource types too.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "resources/change.h"
#include "resources/operation.h"
#include "resources/provider.h"
#include "resources/schema.h"

namespace cph::resources {

// A plan the provider's rules refuse: `block` is the block it is about (the
// planner prefixes where the manifest writes it), `what` the reason.
struct StepProblem : std::runtime_error {
  StepProblem(std::string block, const std::string& what) : std::runtime_error(what), block(std::move(block)) {}
  std::string block;
};

// The actions a provider type makes steps of.
struct StepInput {
  const std::vector<Action>& actions;  // every action of the plan
  std::vector<size_t> mine;            // indexes of those of this provider type, in plan order
  // lifecycle.create_before_destroy per block: a replacement buys the new
  // object before it releases the old one.
  const std::map<std::string, bool>& create_before_destroy;
};

// A step of one action (in.actions[i]): its type, block and the action;
// the caller sets the operation, role and batch.
inline Step step_of_action(const StepInput& in, size_t i) {
  Step s;
  s.type = in.actions[i].type;
  s.block = in.actions[i].block;
  s.actions = {i};
  return s;
}

// A removal that only forgets the block's row (nothing in the cloud can be
// undone or released): a release step, `batch` saying what stays.
inline Step forget_step(const StepInput& in, size_t i, std::string batch) {
  Step s = step_of_action(in, i);
  s.operation = "forget";
  s.role = StepRole::release;
  s.batch = std::move(batch);
  return s;
}

struct Reconciled {
  Resume resume = Resume::settle;
  // The provider's word for it, shown in plans and reports and read back
  // by its runner ("resume_purchase", "adopt_purchase").
  std::string resolution = "settle";
  std::string description;  // "purchase of server.web[0..1] (order CS...)"
  Json response;            // what its runner needs beyond the entry (the ids found)
  // The instances the entry stands for as the cloud has them now: the
  // planner diffs the manifests against these as if recorded.
  std::vector<InstanceResult> objects;
  // The objects stand in for the rows recorded at their addresses (an update
  // in flight, such as a password reset whose task is still running): the
  // planner diffs against them instead, so that the plan does not make the
  // same change again.
  bool supersedes_rows = false;
  // Recorded instances whose release it resumes: the plan leaves them out.
  std::vector<std::string> releasing;
  // Addresses the planner must not plan from scratch while the entry runs
  // (a shared bandwidth a resumed purchase creates).
  std::vector<std::string> being_created;
};

struct ProviderKind {
  std::string type;  // "cph"
  // Its resource types, in documentation order (each with provider_type = type).
  std::vector<const ResourceSchema*> schemas;

  // Appends the steps of `in.mine` to `steps` (indexes stay global), with
  // the edges among them the provider's rules need (a replacement's release
  // before its purchase, a shared bandwidth made by the first purchase that
  // uses it). Throws StepProblem for a plan its cloud cannot carry out.
  std::function<void(const StepInput& in, std::vector<Step>& steps)> add_steps;
  // Whether `user`, a step of a block depending on what `release` removes,
  // may run after it all the same (a share pushed to new servers only need
  // not wait for a release of others). Unset: never.
  std::function<bool(const std::vector<Action>& actions, const Step& user, const Step& release)> need_not_precede;

  // The instance addresses an entry is about (-target selects entries by them).
  std::function<std::vector<std::string>(const OpenEntry&)> entry_addresses;
  // Cloud ids an entry that is not resumed this run still holds, so that no
  // other entry takes its objects for its own.
  std::function<std::vector<std::string>(const OpenEntry&)> held_ids;
  // What `entry` means now, against the provider's refreshed inventory.
  // `claimed` holds the cloud ids already accounted for (rows, other
  // entries); it adds those it takes.
  std::function<Reconciled(const OpenEntry& entry, const Inventory& live, std::set<std::string>& claimed)> reconcile;

  // Attributes its [provider] tables take besides the ones every type has
  // (endpoint, region, timeouts, ...): tencent_bm's secret_id and secret_key.
  // Strings; their values are never printed (they may be secrets).
  std::vector<std::string> settings = {};
};

// The registered provider types (registry.cc); nullptr for an unknown one.
const ProviderKind* find_provider_kind(std::string_view type);
// The provider type of a resource type, through its schema ("" unknown).
std::string provider_type_of(std::string_view resource_type);

}  // namespace cph::resources
