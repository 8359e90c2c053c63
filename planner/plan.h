// The plan: what apply will do, as data (ARCHITECTURE decision 7). The human
// diff (render.h) and the executor both read this object; later renderings
// (JSON, DOT, drift reports) will too.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/state.h"

namespace cph::planner {

using Json = nlohmann::json;

// switch_phones: changed in place by an API that recreates the phones and
// loses their data (cph-api.md 3.6); apply refuses it without consent.
enum class ActionKind { create, update, switch_phones, replace, remove };
std::string_view to_string(ActionKind);

struct AttrChange {
  std::string name;
  Json before;  // null when unset
  Json after;   // null when unset
  bool forces_replacement = false;
  // A next_order attribute (resources::Update::next_order): recorded in
  // state, applies to the next order or renewal, no call.
  bool next_order = false;
};

// What happens to one resource instance.
struct Action {
  ActionKind kind = ActionKind::create;
  std::string address;     // "server.web[0]"
  std::string type;        // "server"
  std::string block;       // "server.web"
  int index = -1;          // instance index under count, -1 without count
  std::string cloud_id;    // existing object (update/replace/remove)
  Json before;             // recorded and refreshed attributes (null for create)
  Json after;              // desired attributes (null for remove)
  std::vector<AttrChange> changes;  // for update/replace
  std::string reason;      // why, when not obvious ("count reduced to 1", ...)
  std::string block_name;  // the block's `name` (before instance suffixes), for orders
  // The operations that carry out an update ("rename", "tags", ...), from the
  // changed attributes' descriptors, in execution order.
  std::vector<std::string> operations;
  bool allow_data_loss = false;  // lifecycle.allow_data_loss of its block
  bool replace_requested = false;  // -replace named it (replace even without a change)
  // Attribute paths holding values of sensitive variables ("tags.owner"):
  // never printed or saved (planner/sensitive.h).
  std::vector<std::string> sensitive;
  // The provider instance that owns the object after the action (for a
  // remove, the one that owns it now), and the one that owns it before (for
  // a create, the same): they differ when a block moved to another provider,
  // which is a replacement (issue 13).
  std::string provider = {};
  std::string prior_provider = {};
};

// One API operation of the execution graph: it carries out one or more
// actions. Steps run as soon as the steps they come after have finished.
enum class StepKind {
  purchase,          // servers of one block, one order of at most 10 (3.4)
  unsubscribe,       // servers of one block, one BSS call
  rename,            // 3.13
  change_model,      // 3.12, a change order
  switch_server,     // 3.6, destroys phone data
  open_access,       // 6.3, servers sharing the new key pair in one call
  tags,              // 7.10/7.11
  create_keypair,    // KPS
  delete_keypair,    // KPS
  resize_bandwidth,  // 4.2
  adopt_bandwidth,   // `id = ...`: read it, record it (and resize when needed)
  forget,            // a bandwidth: no API deletes one; it leaves the state
  push_share,        // 3.7 / 3.10 to the servers added
  delete_share,      // 3.9 / 3.11 from the servers removed (or all)
  record,            // next_order attributes: state only, no call
};
std::string_view to_string(StepKind);

struct Step {
  StepKind kind = StepKind::purchase;
  std::string block;               // "server.web"
  std::vector<size_t> actions;     // indexes into Plan::actions
  std::vector<size_t> after;       // indexes into Plan::steps
  // The provider instance whose runner carries it out: a release runs on
  // the provider that owns the object now, everything else on the one that
  // owns it after the plan.
  std::string provider = {};
};

// An unfinished journal entry found at the start of the run, and what apply
// will do with it before anything else.
enum class Resolution {
  resume_purchase,     // ids recorded: wait for the order, record the servers
  adopt_purchase,      // no ids recorded, but the servers exist under the expected names
  purchase_not_placed, // no ids recorded and no such servers: nothing was bought
  resume_unsubscribe,  // order ids recorded: wait until released, drop the rows
  settle,              // idempotent or already visible in the cloud: close the entry
  record,              // the object exists: record `response` (address, type, cloud_id, attributes) as a row
};

struct PendingOperation {
  state::JournalEntry entry;
  Resolution resolution = Resolution::settle;
  Json response;            // for adopt_purchase: the ids found
  std::string description;  // "purchase of server.web[0..1] (order CS...)"
  std::string provider = {};  // the provider instance that resumes it
};

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
