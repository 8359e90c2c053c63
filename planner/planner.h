// Refresh and diff: compares the manifest with the recorded state, refreshed
// by what the cloud reports now, and with the unfinished journal, and makes
// the Plan. Refresh is one paged list walk (100 servers a call, ARCHITECTURE
// decision 5); make_plan itself is pure and makes no call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "manifest/manifest.h"
#include "planner/plan.h"
#include "state/state.h"

namespace cph::planner {

// What the cloud has now.
struct Inventory {
  std::unordered_map<std::string, cloud::Server> servers;  // by server id
  // Read only when the state or the manifest involves them (read_* true).
  std::unordered_map<std::string, cloud::BandWidthInfo> bandwidths;  // by band_width_id
  std::unordered_map<std::string, cloud::Keypair> keypairs;          // by name
  std::unordered_map<std::string, Json> server_tags;                 // server id -> {key: value}
  bool read_bandwidths = false, read_keypairs = false, read_tags = false;
};

// Which kinds of object a refresh reads besides servers.
struct RefreshNeeds {
  bool bandwidths = false;
  bool keypairs = false;
  bool tags = false;
};
RefreshNeeds refresh_needs(const manifest::Manifest* manifest, const std::vector<state::ResourceRow>& rows);

// Servers always; the rest as `needs` says. Every kind is read in pages.
boost::asio::awaitable<Inventory> refresh(cloud::CphClient& cloud, RefreshNeeds needs = {});

// A recorded row overlaid with what the cloud reports now; nullopt when the
// object no longer exists. Types refresh cannot read keep their record.
std::optional<Json> refreshed_attributes(const state::ResourceRow& row, const Inventory& live);
Json bandwidth_live_attributes(const cloud::BandWidthInfo& b);

struct PlanInput {
  const manifest::Manifest* manifest = nullptr;  // may be null when destroy
  state::Meta meta;
  std::vector<state::ResourceRow> rows;
  std::vector<state::JournalEntry> open_journal;
  const Inventory* live = nullptr;
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
};

// Address order by block, then instance index: "server.game[2]" before
// "server.game[10]" (lists of instances in plans and state use it).
bool address_less(const std::string& a, const std::string& b);
// Addresses for people, runs of one block's instances shortened:
// "server.db, server.web[0..99], server.web[120]".
std::string compact_addresses(std::vector<std::string> addresses);

// True when address is `pattern` or an instance of the block `pattern`.
bool address_matches(const std::string& address, const std::string& pattern);

// Throws std::runtime_error for a plan that cannot be made (e.g. the state
// holds a resource type this version does not know).
Plan make_plan(const PlanInput& input);

}  // namespace cph::planner
