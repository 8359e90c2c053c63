// The planned changes as a provider sees them (issue 13): the actions the
// planner decided and the steps (API operations) that carry them out. The
// planner (planner/plan.h) makes the actions and asks each provider type
// for the steps of its own (resources/provider_kind.h); the executor hands
// each step to the runner of its provider instance. Kept below the planner
// so that a provider can batch and run steps without depending on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::resources {

using Json = nlohmann::json;

// switch_phones: changed in place by an operation that loses data (CPH's
// switch, cph-api.md 3.6); apply refuses it without consent.
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
  // An operation asked for by name (PlanInput::requests: "restart" of
  // phones), carried out even when nothing changed; "" none.
  std::string requested = {};
  // -replace=ADDR[ID] or the requested operation named only these members
  // (a reset of some KooPhone instances of a set, a restart of some phones
  // of a [phones] block, as the user named them); empty: the whole instance.
  std::vector<std::string> members = {};
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

// How a step stands in the graph's order, which the planner draws from the
// blocks' dependencies (planner/graph.cc).
enum class StepRole {
  // Creates or changes: after the steps of the blocks it depends on.
  forward,
  // Deletes or releases: after every step of the blocks that depended on
  // what it removes; runs on the provider instance that owns the object now.
  release,
  // Takes something off other objects (a share off servers): waits for
  // nothing of other blocks, nothing waits for it but its own block's steps;
  // runs where the object is now.
  detach,
};

// One operation of the execution graph, as data: which resource type's
// operation, on which actions. It carries out one or more actions and runs
// as soon as the steps it comes after have finished.
struct Step {
  std::string type;       // the resource type whose operation it is ("server")
  std::string operation;  // the provider's name of the operation ("purchase", "rename")
  // What one call of the step carries, for people ("one order"); empty for
  // a step of one action or one call per action.
  std::string batch = {};
  StepRole role = StepRole::forward;
  std::string block;               // "server.web"
  std::vector<size_t> actions;     // indexes into the plan's actions
  std::vector<size_t> after;       // indexes into the plan's steps
  // The provider instance whose runner carries it out: a release runs on
  // the provider that owns the object now, everything else on the one that
  // owns it after the plan.
  std::string provider = {};
};

std::string_view to_string(StepRole);

// An instance address cut into its block and index: "server.web[3]" is
// ("server.web", 3); an address without a well-formed index of at most 9
// digits is all block, index -1. Never allocates or throws: addresses also
// come from plan files, which are users' files and may be damaged.
struct AddressParts {
  std::string_view block;
  int index = -1;
};
AddressParts address_parts(std::string_view address);

// Address order by block, then instance index: "server.game[2]" before
// "server.game[10]" (lists of instances in plans and state use it).
bool address_less(const std::string& a, const std::string& b);
// "a" or "a..z" for the addresses of one step or journal entry, for people.
std::string range_address(const std::vector<std::string>& addresses);

// An unfinished journal entry of an earlier run (state::JournalEntry as the
// provider needs it).
struct OpenEntry {
  int64_t id = 0;
  std::string address;
  std::string operation;  // the provider's word at intent ("purchase")
  Json intent;
  Json response;          // the ids the answer carried, when `answered`
  bool answered = false;
};

// What apply does with an unfinished entry before anything else.
enum class Resume {
  run,         // the provider's runner follows it to its end (StepRunner::resume)
  not_placed,  // nothing happened in the cloud: the entry closes as failed
  record,      // the object exists: the response ({address, type, cloud_id, attributes}) becomes its row
  settle,      // its effect is visible (or idempotent): the entry closes
};

}  // namespace cph::resources
