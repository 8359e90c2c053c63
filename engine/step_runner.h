// What the executor asks of the cloud side (Ninja's CommandRunner is the
// model): carry out one step of the graph, resume one unfinished operation
// of an earlier run, stop waiting on Ctrl-C. The executor walks the graph,
// journals, counts and reports; a runner knows its cloud. CPH's runner is
// made by engine::CloudConnection (engine/steps.cc); executor_test.cc drives
// the executor with fake ones.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "engine/step_journal.h"
#include "planner/plan.h"

namespace cph::engine {

struct ExecReport;

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  // Carries out `step`, every mutating call journaled through `journal`
  // first, the step's rows written by journal.finish. Throws when the step
  // failed as a whole (resources::Interrupted when stopped while waiting);
  // failures of single items of a batch go to report.failures, after the
  // successes are recorded, and the step throws.
  virtual boost::asio::awaitable<void> run(const planner::Step& step, StepJournal& journal, ExecReport& report) = 0;
  // Carries out an unfinished operation of an earlier run that needs the
  // cloud (a purchase or release to follow to its end), as the planner
  // resolved it; adds what it completed to report.added / destroyed.
  virtual boost::asio::awaitable<void> resume(const planner::PendingOperation& pending, StepJournal& journal,
                                              ExecReport& report) = 0;
  // Ctrl-C: every wait in progress ends with resources::Interrupted.
  virtual void stop() = 0;
};

// Several provider instances in one run: each step, and each resumed
// operation, goes to the runner of the instance it names (Step::provider,
// PendingOperation::provider), so the executor's graph walk runs the
// instances' steps side by side. A name without a runner (a plan file written
// before steps named their provider) goes to `fallback`'s.
std::unique_ptr<StepRunner> runner_per_provider(std::map<std::string, std::unique_ptr<StepRunner>> runners,
                                                std::string fallback);

}  // namespace cph::engine
