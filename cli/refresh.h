// Refresh of every provider instance (cli/refresh.cc).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/workspace.h"
#include "planner/plan.h"
#include "resources/provider.h"

namespace cph::engine {

// Every instance of `conn` refreshed at once, by instance name; the first
// failure is rethrown once all have ended, naming the endpoint it was for.
boost::asio::awaitable<std::map<std::string, std::unique_ptr<resources::Inventory>>> refresh_instances(
    CloudConnection& conn, const resources::RefreshScope& scope);

// "Refreshed 3 recorded resources against 3 servers in the cloud (...)."
// for one instance (as it always read), one line per instance for several.
std::string refresh_summary(CloudConnection& conn,
                            const std::map<std::string, std::unique_ptr<resources::Inventory>>& inventories,
                            size_t recorded);

// The problems the cloud would refuse the plan's changes for
// (Provider::check_changes), each change asked of the instance that makes it.
boost::asio::awaitable<std::vector<std::string>> check_planned_changes(CloudConnection& conn,
                                                                       const planner::Plan& plan);

}  // namespace cph::engine
