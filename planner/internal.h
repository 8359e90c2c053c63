// Pieces shared by the planner's translation units (planner.cc, journal.cc,
// graph.cc). Not part of the planner's interface.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/planner.h"
#include "resources/provider_kind.h"

namespace cph::planner::detail {

// An instance as recorded (state row or journaled operation), refreshed.
struct Prior {
  std::string type;
  std::string cloud_id;
  Json attributes;
  std::string provider = {};  // the provider instance that owns it (owners.cc)
};

// An instance as the manifest wants it.
struct Desired {
  std::string type;
  std::string block;
  int index = -1;
  Json attributes;
  std::string block_name;
  const manifest::ResourceConfig* config = nullptr;
};

// requests.cc: what -replace (PlanInput::replace) and requested operations
// (PlanInput::requests) ask for. check_requests throws a PlanError unless
// every pattern names an instance both recorded and declared, and its
// members ones the instance can name (adopted ids; for a type with
// live_members, any: the provider's check_changes judges them).
void check_requests(const PlanInput& in, const std::map<std::string, Prior>& prior,
                    const std::map<std::string, Desired>& desired);
// Whether -replace names the instance (whole, or members of it).
bool replace_requested(const PlanInput& in, const std::string& address);
// Sets a's replace_requested, requested, members and reason from the
// requests naming it.
void take_requests(const PlanInput& in, Action& a);

// The provider instance that owns a recorded row ("" rows: see
// state::ResourceRow::provider), a block's instance (its manifest block's,
// else its row's), and the inventory that provider's refresh read (the
// default, `live`, when PlanInput::inventories does not name it).
std::string row_owner(const PlanInput& in, const state::ResourceRow& row);
std::string address_owner(const PlanInput& in, const std::string& address);
const resources::Inventory& inventory_of(const PlanInput& in, const std::string& provider);

// "server.web" + 3 -> "server.web[3]"; without count the block itself.
std::string instance_address(const std::string& block, bool counted, int index);
// The block of an instance address (address_parts), as a string.
inline std::string block_of(std::string_view address) { return std::string(address_parts(address).block); }
// -replace=ADDR[ID] naming one member of an adopted set
// ("koophone_instances.fleet[kp000003]"; resources::Attribute::adopts):
// the set's address and the member, or nullopt for any other pattern (an
// all-digit index is a counted block's instance).
struct MemberPattern {
  std::string address;
  std::string member;
};
std::optional<MemberPattern> member_pattern(const std::string& pattern);
// The members of a set's adopted attributes in `attributes`.
std::vector<std::string> adopted_members(const resources::ResourceSchema& schema, const Json& attributes);
// Null, "", [] and {} are the same (unset) value.
bool same_value(const Json& a, const Json& b);

// diff.cc: the changes from `before` (recorded) to `after` (wanted) by the
// descriptor, less the ignored attributes; a write-only attribute compares
// by its digest under the state's key (resources/write_only.h).
std::vector<AttrChange> diff_attributes(const resources::ResourceSchema& schema, const Json& before, const Json& after,
                                        const std::vector<std::string>& ignore, std::string_view write_only_key);
// What the cloud changed of a recorded row (readable attributes; a computed
// one only when it leaves its normal value); nullopt when nothing.
std::optional<Drift> drift_of(const state::ResourceRow& row, const Json& refreshed,
                              const std::vector<std::string>& ignore);
// The sensitive attribute paths of an instance: those holding values of
// sensitive variables plus the type's write-only attributes.
std::vector<std::string> sensitive_paths(const resources::ResourceSchema* schema,
                                         std::vector<std::string> from_variables);

// What the unfinished journal means for this plan (resolve_journal).
struct JournalReading {
  std::map<std::string, Prior> prior;  // the instances entries stand for, as the cloud has them now
  std::set<std::string> releasing;     // recorded instances whose release is resumed
  std::set<std::string> claimed;       // cloud ids accounted for (rows and entries)
  std::set<std::string> being_created;  // instances a resumed entry creates (not planned again)
  std::set<std::string> superseded;     // recorded instances whose entry's object stands in for the row
};

// Reads the journal: what each unfinished entry means now (its provider
// type's reading), added to plan.pending.
void resolve_journal(const PlanInput& in, Plan& plan, JournalReading& out);

// The blocks each block depends on: `desired` from the manifest (references
// and depends_on), `recorded` from what the state rows refer to (so that
// deletes of blocks gone from the manifest are still ordered).
struct Dependencies {
  std::map<std::string, std::set<std::string>> desired;
  std::map<std::string, std::set<std::string>> recorded;
  // Where each manifest block is written ("main.toml:3:1: "), to locate
  // errors about a block.
  std::map<std::string, std::string> where;
};

// Turns the actions into steps (API operations) with their `after` edges,
// in a valid execution order.
void add_steps(Plan& plan, const Dependencies& deps, const std::map<std::string, bool>& create_before_destroy);

}  // namespace cph::planner::detail
