// What the executor's steps share during one run (engine-internal): the
// cloud, the state, the job poller, the plan and the tally. executor.cc
// walks the graph; steps.cc carries out each kind of step.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/job_poller.h"
#include "engine/executor.h"
#include "engine/step_journal.h"
#include "engine/step_runner.h"
#include "resources/cph/server.h"

namespace cph::engine {

using Json = nlohmann::json;
namespace asio = boost::asio;

struct RunContext {
  cloud::CphClient& cloud;
  state::StateStore& store;
  cloud::JobPoller& poller;
  const planner::Plan& plan;
  RunObserver& progress;
  const ExecOptions& options;
  ExecReport& report;
};

// Carries out one step (its journal entries through `journal`). Throws on
// failure of the whole step; per-item failures of batch calls are added to
// the report and make the step fail after the successes are recorded.
boost::asio::awaitable<void> run_step_kind(RunContext& ctx, const planner::Step& step, StepJournal& journal);

// CPH's StepRunner (engine/step_runner.h), for engine::CloudConnection.
std::unique_ptr<StepRunner> cph_step_runner(cloud::CphClient& cloud, state::StateStore& store,
                                            const planner::Plan& plan, RunObserver& progress,
                                            const ExecOptions& options);

// Completes a purchase (new or resumed) whose servers exist: records the
// shared bandwidth it created, sets tags, writes the rows.
boost::asio::awaitable<void> finish_purchase(RunContext& ctx, StepJournal& journal,
                                             std::vector<resources::InstanceResult> results, const Json& instances);

}  // namespace cph::engine
