// The plan: what apply will do, as data (ARCHITECTURE decision 7). The human
// diff (render.h) and the executor both read this object; later renderings
// (JSON, DOT, drift reports) will too.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/change.h"
#include "state/state.h"

namespace cph::planner {

using Json = nlohmann::json;

// The actions and steps as the providers see them (resources/change.h).
using resources::ActionKind;
using resources::AttrChange;
using resources::Action;
using resources::Step;
using resources::StepRole;
using resources::to_string;

// An unfinished journal entry found at the start of the run, and what apply
// will do with it before anything else (its provider type decided,
// resources::ProviderKind::reconcile).
struct PendingOperation {
  state::JournalEntry entry;
  resources::Resume resume = resources::Resume::settle;
  // The provider's word for it ("resume_purchase", "adopt_purchase"),
  // shown in plans and reports and read back by its runner.
  std::string resolution = "settle";
  Json response;            // for the provider's runner (the ids found); for record: the row
  std::string description;  // "purchase of server.web[0..1] (order CS...)"
  std::string provider = {};  // the provider instance that resumes it
};

// A journal entry as its provider reads it (resources::ProviderKind).
resources::OpenEntry open_entry(const state::JournalEntry& entry);

// A plan that cannot be carried out (prevent_destroy, a key pair still in
// use, an impossible model change): every problem, one per line.
struct PlanError : std::runtime_error {
  explicit PlanError(std::vector<std::string> problems);
  std::vector<std::string> problems;
};

// A difference between what state recorded and what the cloud reports now,
// made outside cphform (a rename in the console, a deleted or frozen server).
struct Drift {
  std::string address;
  std::string cloud_id;
  bool deleted = false;             // the server no longer exists
  std::vector<AttrChange> changes;  // before = recorded, after = live
  std::vector<std::string> sensitive;  // as Action::sensitive, from the manifest block
  // The provider instance that reported it, set when the plan has several
  // (a single-provider report reads as it always did).
  std::string provider = {};
};

// One [output.NAME] of the manifests, as the plan leaves it (show -json's
// output_changes): `before` from the state the plan was made from, `after`
// from the state the plan leaves (engine/outputs.h: output_changes).
struct OutputChange {
  std::string name;
  // Terraform's word for it: "create" (not known before), "update", "no-op"
  // or "delete" (a destroy plan). Kept apart from the values, which a
  // sensitive output's files and reports leave out.
  std::string action;
  Json before;                 // null when the state does not know it yet
  Json after;                  // null when removed or not known until apply
  bool after_unknown = false;  // it refers to an instance the plan changes
  bool sensitive = false;      // before and after are null in every file and report
  bool removed = false;        // a destroy plan: no output is left
};

// How a row records its provider instance (state::ResourceRow::provider):
// "" for the provider named after the type's provider type ("cph"), the
// name otherwise. `type_or_address` is a resource type or an address.
std::string recorded_provider(const std::string& provider, const std::string& type_or_address);

struct Plan {
  std::string lineage;          // of the state the plan was made from
  int64_t serial = 0;
  std::string manifest_digest;
  bool destroy = false;

  std::vector<PendingOperation> pending;
  std::vector<std::string> vanished;  // recorded instances the cloud no longer has
  std::vector<Drift> drift;           // what changed outside cphform since the last run
  std::vector<Action> actions;        // sorted by address
  std::vector<Step> steps;            // in a valid execution order
  // Recorded instances the plan leaves as they are (kind unused; `after` is
  // null, meaning the same as `before`, which a plan of 10,000 unchanged
  // servers would otherwise hold twice): Terraform's "no-op" changes and the
  // rest of prior_state in show -json. Not in to_add/to_change/to_destroy,
  // never executed.
  std::vector<Action> unchanged;
  std::vector<OutputChange> outputs;  // name order; filled by the engine

  int count(ActionKind kind) const;
  int to_add() const { return count(ActionKind::create) + count(ActionKind::replace); }
  int to_change() const { return count(ActionKind::update) + count(ActionKind::switch_phones); }
  int to_destroy() const { return count(ActionKind::remove) + count(ActionKind::replace); }
  bool has_changes() const { return !actions.empty() || !pending.empty() || !vanished.empty(); }
};

}  // namespace cph::planner
