// What the executor's steps share during one run (engine-internal): the
// cloud, the state, the job poller, the plan and the tally. executor.cc
// walks the graph; steps.cc carries out each kind of step.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/job_poller.h"
#include "engine/executor.h"
#include "resources/cph/server.h"

namespace cph::engine {

using Json = nlohmann::json;
namespace asio = boost::asio;

// The journal as one step sees it: remembers the entries the step opened so
// that they are closed together with the step's rows, or left open for the
// next run when the outcome is unknown.
class StepJournal : public resources::OperationJournal {
 public:
  StepJournal(state::StateStore& store, std::string run_id, std::string actor, int64_t resumed_entry = 0);
  int64_t intent(const std::string& address, const std::string& operation, const std::string& request_body,
                 const Json& idempotency) override;
  void answered(int64_t entry, const Json& response) override;
  // Success: the first entry is closed with the rows in one transaction.
  void finish(const std::vector<state::ResourceRow>& put, const std::vector<std::string>& remove);
  // Failure: an entry the service refused did nothing and is closed as
  // failed; entries with ids recorded, or whose request may or may not have
  // arrived, stay open for the next run to resume or reconcile.
  void abandon(std::exception_ptr error);
  // A final failure: writes the rows of the servers the operation made
  // (abnormal ones included: they exist and are paid for), then closes the
  // operation's entry as failed with `outcome`, recorded in history.
  void close_failed(const std::string& outcome, const std::vector<resources::InstanceResult>& servers);
  // True once the step journaled a mutating call (every mutating call is
  // journaled first): a step that never did changed nothing in the cloud.
  bool called() const { return intents_ > 0; }

 private:
  struct Entry {
    int64_t id;
    bool answered;
  };
  state::StateStore& store_;
  std::string run_id_;
  std::string actor_;
  std::vector<Entry> entries_;
  int intents_ = 0;
};

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

// Completes a purchase (new or resumed) whose servers exist: records the
// shared bandwidth it created, sets tags, writes the rows.
boost::asio::awaitable<void> finish_purchase(RunContext& ctx, StepJournal& journal,
                                             std::vector<resources::InstanceResult> results, const Json& instances);

}  // namespace cph::engine
