// What the executor tells whoever watches a run (cli/progress.h prints it as
// Terraform-style lines, a live status line or -json events). The engine
// knows only this interface, so that it does not depend on the CLI.
#pragma once

#include <cstddef>
#include <string>

#include "planner/plan.h"

namespace cph::engine {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // How many resources the run will report on.
  virtual void planned(size_t total) = 0;
  // `cloud_id`: the object it works on, when it exists (not for a create).
  virtual void started(const std::string& address, planner::ActionKind kind, const std::string& cloud_id = "") = 0;
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

}  // namespace cph::engine
