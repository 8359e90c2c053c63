// The properties checked after every apply that exits 0, each reading the
// cloud through the emulator's API (never through cphform's refresh). Each
// returns the problems found, one line each; empty means the property holds.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/convergence/model.h"
#include "tests/e2e/harness.h"

namespace cph::convergence {

using Problems = std::vector<std::string>;

// (b) The cloud holds exactly what the manifests declare: one server per
// instance by name (and nothing else but `unmanaged`), models, key pair,
// tags (an unset `tags` means none), bandwidth size, shared apps and files.
Problems check_cloud(const Spec& spec, const e2e::EmulatorProcess& emu, const std::set<std::string>& unmanaged);

// Mutating calls recorded by the emulator (GET /_emulator/calls entries)
// that were answered 2xx: the ones that changed something.
std::vector<nlohmann::json> successful_calls(const nlohmann::json& calls);

// Server instances bought by the successful purchases among `calls`.
int purchased_units(const std::vector<nlohmann::json>& calls);

// (c) No server bought twice: the servers bought since `before` (server ids
// then) are exactly the new servers now, all of them managed.
Problems check_purchases(int units, const std::set<std::string>& before, const e2e::EmulatorProcess& emu,
                         const std::set<std::string>& unmanaged);

// (d) The lines an apply printed ("ADDRESS: Modifications complete ...")
// match the resources its successful mutating calls touched: no line
// without a call, no call without a line. `state_before`/`state_after` are
// `state pull` documents (they map cloud ids to addresses);
// `resumed_purchases` are server instances bought by earlier, failed runs
// that this apply may report as created without a purchase of its own.
Problems check_summary(const std::string& apply_out, const std::vector<nlohmann::json>& calls, const Spec& spec,
                       const nlohmann::json& state_before, const nlohmann::json& state_after, int resumed_purchases);

}  // namespace cph::convergence
