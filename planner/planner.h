// Refresh and diff: compares the manifest with the recorded state, refreshed
// by what the cloud reports now, and with the unfinished journal, and makes
// the Plan. Refresh is one paged list walk (100 servers a call, ARCHITECTURE
// decision 5); make_plan itself is pure and makes no call.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cloud/cph_client.h"
#include "manifest/manifest.h"
#include "planner/plan.h"
#include "state/state.h"

namespace cph::planner {

// What the cloud has now.
struct Inventory {
  std::unordered_map<std::string, cloud::Server> servers;  // by server id
};

boost::asio::awaitable<Inventory> refresh(cloud::CphClient& cloud);

struct PlanInput {
  const manifest::Manifest* manifest = nullptr;  // may be null when destroy
  state::Meta meta;
  std::vector<state::ResourceRow> rows;
  std::vector<state::JournalEntry> open_journal;
  const Inventory* live = nullptr;
  bool destroy = false;
  // -target / -exclude: addresses ("server.web[2]") or blocks ("server.web",
  // every instance). With targets, only matching instances are planned;
  // excluded ones never are. Resources have no dependencies yet, so no
  // other address is pulled in.
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
};

// True when address is `pattern` or an instance of the block `pattern`.
bool address_matches(const std::string& address, const std::string& pattern);

// Throws std::runtime_error for a plan that cannot be made (e.g. the state
// holds a resource type this version does not know).
Plan make_plan(const PlanInput& input);

}  // namespace cph::planner
