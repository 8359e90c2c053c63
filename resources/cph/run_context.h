// What CPH's steps share during one run (steps.cc; resources-internal): the
// client, the recorded state, the job poller, the plan and the tally.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/job_poller.h"
#include "resources/cph/server.h"
#include "resources/runner.h"

namespace cph::resources {

struct RunContext {
  cloud::CphClient& cloud;
  const Records& records;
  cloud::JobPoller& poller;
  const RunPlan& plan;
  RunObserver& progress;
  const PollPolicy& poll;
  RunReport& report;
};

// Carries out one step (its journal entries through `journal`). Throws on
// failure of the whole step; per-item failures of batch calls are added to
// the report and make the step fail after the successes are recorded.
boost::asio::awaitable<void> run_step_kind(RunContext& ctx, const Step& step, StepJournal& journal);

// CPH's StepRunner, for CphProvider::runner. `poll.stop` ends its waits
// on Ctrl-C; `poll.payment` is the instance's pay_orders.
std::unique_ptr<StepRunner> cph_step_runner(cloud::CphClient& cloud, const Records& records, RunPlan plan,
                                            RunObserver& progress, PollPolicy poll);

// Completes a purchase (new or resumed) whose servers exist: records the
// shared bandwidth it created, sets tags, writes the rows.
boost::asio::awaitable<void> finish_purchase(RunContext& ctx, StepJournal& journal,
                                             std::vector<InstanceResult> results, const Json& instances);

}  // namespace cph::resources
