// Diff: compares the manifest with the recorded state, refreshed by what
// the provider's Inventory reports now (resources/provider.h), and with the
// unfinished journal, and makes the Plan. make_plan itself is pure and makes
// no call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manifest/manifest.h"
#include "planner/plan.h"
#include "resources/provider.h"
#include "state/state.h"

namespace cph::planner {

// What a refresh must read for a plan of these manifests (null when
// destroying) and rows: the types and attributes they involve.
resources::RefreshScope refresh_scope(const manifest::Manifest* manifest, const std::vector<state::ResourceRow>& rows);

struct PlanInput {
  const manifest::Manifest* manifest = nullptr;  // may be null when destroy
  state::Meta meta;
  std::vector<state::ResourceRow> rows;
  std::vector<state::JournalEntry> open_journal;
  const resources::Inventory* live = nullptr;  // the provider's refresh
  // With several providers (issue 13): each provider instance's refresh, by
  // instance name; an owner not named here reads `live`.
  std::map<std::string, const resources::Inventory*> inventories;
  bool destroy = false;
  // -target / -exclude: addresses ("server.web[2]") or blocks ("server.web",
  // every instance). With targets, only matching instances are planned;
  // excluded ones never are. With targets, the blocks they depend on are
  // planned too; with destroy, the blocks that depend on them instead
  // (Terraform's rule, docs/semantics.md).
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
  // -replace=ADDR: replace these instances even when nothing changed
  // (docs/semantics.md); each must be recorded and declared.
  std::vector<std::string> replace;
  // Operations asked for by name (cphform phone restart|stop ADDR): each
  // names an operation its type lists (ResourceSchema::requestable) and an
  // instance, a block (all its instances) or members of an instance
  // ("phones.game[game-0002]"); planned even when nothing changed. Each
  // instance must be recorded and declared, as for -replace.
  struct Request {
    std::string operation;
    std::string pattern;
  };
  std::vector<Request> requests;
  // The state's key for write-only digests (resources/write_only.h); ""
  // when the state has none yet (then every write-only value is a change).
  std::string write_only_key;
};

// Instance addresses cut into block and index, and their order
// (resources/change.h).
using resources::AddressParts;
using resources::address_parts;
using resources::address_less;
// Addresses for people, runs of one block's instances shortened:
// "server.db, server.web[0..99], server.web[120]".
std::string compact_addresses(std::vector<std::string> addresses);

// True when address is `pattern` or an instance of the block `pattern`.
bool address_matches(const std::string& address, const std::string& pattern);

// Throws std::runtime_error for a plan that cannot be made (e.g. the state
// holds a resource type this version does not know).
Plan make_plan(const PlanInput& input);

}  // namespace cph::planner
