// The executor: carries out a Plan on the asio core. Unfinished journal
// entries are settled first, then the execution graph runs, each step as a
// coroutine that starts once the steps it comes after have finished; a
// step waiting on an order holds no thread. Every resource is committed to
// state the moment its step finishes (journal_done writes the rows and closes
// the entry in one transaction), never "all at the end".
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/observer.h"
#include "planner/plan.h"
#include "resources/operation.h"
#include "resources/polling.h"
#include "state/state.h"

namespace cph::engine {

struct ExecOptions {
  std::string run_id;
  std::string actor;                // "user@host pid N", recorded in every journal entry
  resources::PollPolicy poll;
  std::function<void()> heartbeat;  // called about once a minute (lock refresh)
  bool allow_data_loss = false;     // -allow-data-loss: switches and server replacements may run
  // Ctrl-C (issue 5 "Signals"): once requested, no step starts, and steps
  // waiting on orders or jobs stop waiting, their ids kept in the journal.
  resources::StopSignal* stop = nullptr;
};

// What a run did (resources/runner.h: the runners add to it too).
using Failure = resources::Failure;
using ExecReport = resources::RunReport;

using StepRunner = resources::StepRunner;

// Carries out `plan`, each step through `runner`. Throws before anything
// runs when the plan switches or replaces a server (data loss, a new paid
// order) without consent.
boost::asio::awaitable<ExecReport> execute_plan(StepRunner& runner, state::StateStore& store,
                                                const planner::Plan& plan, RunObserver& progress,
                                                ExecOptions options);

// A one-line account of an error for people: for cloud errors the API, the
// CPH error code, its message and its meaning from the reference table.
std::string describe_error(std::exception_ptr error);

}  // namespace cph::engine
