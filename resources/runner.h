// The write side of a provider (issue 13; Ninja's CommandRunner is the
// model): a StepRunner carries out the steps of a plan on its cloud, and
// follows unfinished operations of earlier runs to their end. The executor
// (engine/executor.h) walks the graph, journals, counts and reports; it
// hands each step to the runner of the step's provider instance
// (resources::Provider::runner). engine/executor_test.cc drives the
// executor with fake runners.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/change.h"
#include "resources/operation.h"

namespace cph::resources {

struct Failure {
  std::string address;
  std::string message;
};

// What a run did, per action address.
struct RunReport {
  std::vector<std::string> succeeded;  // every action that finished, by address
  int added = 0;
  int changed = 0;
  int destroyed = 0;
  int recorded = 0;  // updates that needed no call: recorded in state only
  std::vector<Failure> failures;
  std::vector<std::string> skipped;  // not attempted because a step before them failed
  // After a stop request: stopped while waiting (journaled, resumed by the
  // next apply), and not started at all (planned again next time).
  std::vector<std::string> interrupted;
  std::vector<std::string> not_started;
  bool stopped = false;
  bool ok() const { return failures.empty() && skipped.empty() && !stopped; }
};

// What a run tells whoever watches it (cli/progress.h prints it as
// Terraform-style lines, a live status line or -json events).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // How many resources the run will report on.
  virtual void planned(size_t total) = 0;
  // `cloud_id`: the object it works on, when it exists (not for a create).
  virtual void started(const std::string& address, ActionKind kind, const std::string& cloud_id = "") = 0;
  // `called` false: the step needed no cloud call (recorded in state only).
  virtual void finished(const std::string& address, const std::string& cloud_id, bool called = true) = 0;
  virtual void failed(const std::string& address, const std::string& error) = 0;
  // Stopped by Ctrl-C while waiting; resumed by the next apply.
  virtual void interrupted(const std::string& address) = 0;
  // Called about once a second while the run goes on ("Still creating...").
  virtual void tick() = 0;
  virtual void note(const std::string& line) = 0;
  // The run ended: nothing more will be reported.
  virtual void close() = 0;
};

// The write-ahead journal as one step sees it (ARCHITECTURE decision 3):
// intent before a request is sent, the ids of its answer on arrival
// (OperationJournal), and the step's rows written together with the close
// of its entries.
class StepJournal : public OperationJournal {
 public:
  // Success: the rows (`put`, and the addresses to `remove`) are written and
  // the step's entries closed, in one transaction.
  virtual void finish(const std::vector<InstanceResult>& put, const std::vector<std::string>& remove) = 0;
  // True once the step journaled a mutating call (every mutating call is
  // journaled first): a step that never did changed nothing in the cloud.
  virtual bool called() const = 0;
};

// The state as a runner reads it during the run: the row at an address now
// (an earlier step of this run may have written it).
class Records {
 public:
  virtual ~Records() = default;
  virtual std::optional<InstanceResult> find(const std::string& address) const = 0;
  // The state's key for write-only digests (resources/write_only.h), made
  // on first use: what a journal intent records of a write-only value.
  virtual std::string write_only_key() const = 0;
};

// What a runner needs of the plan: its actions (steps refer to them by
// index) and the recorded instances the cloud no longer has.
struct RunPlan {
  const std::vector<Action>& actions;
  const std::vector<std::string>& vanished;
};

// An unfinished operation of an earlier run, as its provider reconciled it
// (ProviderKind::reconcile) with Resume::run.
struct ResumedOperation {
  OpenEntry entry;
  std::string resolution;  // Reconciled::resolution
  Json response;           // Reconciled::response
  std::string provider;    // the provider instance that resumes it
};

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  // Carries out `step`, every mutating call journaled through `journal`
  // first, the step's rows written by journal.finish. Throws when the step
  // failed as a whole (Interrupted when stopped while waiting); failures of
  // single items of a batch go to report.failures, after the successes are
  // recorded, and the step throws.
  virtual boost::asio::awaitable<void> run(const Step& step, StepJournal& journal, RunReport& report) = 0;
  // Follows an unfinished operation of an earlier run to its end; adds what
  // it completed to report.added / destroyed.
  virtual boost::asio::awaitable<void> resume(const ResumedOperation& operation, StepJournal& journal,
                                              RunReport& report) = 0;
  // Ctrl-C: every wait in progress ends with Interrupted.
  virtual void stop() = 0;
};

}  // namespace cph::resources
