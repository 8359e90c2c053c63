// Terraform-style progress lines while apply works:
//   server.web[0]: Creating...
//   server.web[0]: Still creating... [10s elapsed]
//   server.web[0]: Creation complete after 12s [id=4aff...]
// or, with -json, the same moments as apply_start / apply_progress /
// apply_complete / apply_errored events, or, on a terminal (live mode), one
// status line redrawn every tick, with failures and notes printed above it:
//   Apply: 812 done, 100 running, 88 waiting, 0 failed [42s elapsed]
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <mutex>
#include <ostream>
#include <string>

#include "cli/json_events.h"
#include "engine/observer.h"
#include "planner/plan.h"

namespace cph::engine {

class Progress : public RunObserver {
 public:
  using Clock = std::chrono::steady_clock;
  // json: when set, events go there instead of text lines to out.
  explicit Progress(std::ostream& out, std::chrono::seconds every = std::chrono::seconds(10),
                    std::function<Clock::time_point()> now = [] { return Clock::now(); },
                    JsonEvents* json = nullptr);

  // The live status line instead of per-resource lines (for a terminal).
  void set_live(bool live) { live_ = live && !json_; }
  // How many resources the run will report on (the "waiting" of live mode).
  void planned(size_t total) override { total_ = total; }
  // Ends the live line (a last redraw and a newline); nothing otherwise.
  void close() override;

  // `cloud_id`: the object it works on, when it exists (not for a create).
  void started(const std::string& address, planner::ActionKind kind, const std::string& cloud_id = "") override;
  // `called` false: the step needed no cloud call (a change for new orders,
  // a share no server holds any more): said so, never "complete" as if the
  // cloud had been changed.
  void finished(const std::string& address, const std::string& cloud_id, bool called = true) override;
  void failed(const std::string& address, const std::string& error) override;
  // Stopped by Ctrl-C while waiting; resumed by the next apply.
  void interrupted(const std::string& address) override;
  // Prints "Still ..." for every running address whose next report is due.
  void tick() override;
  void note(const std::string& line) override;

 private:
  struct Running {
    planner::ActionKind kind;
    Clock::time_point since;
    Clock::time_point next_report;
  };
  std::ostream& out_;
  std::chrono::seconds every_;
  std::function<Clock::time_point()> now_;
  std::map<std::string, Running> running_;
  JsonEvents* json_;
  nlohmann::json hook(const std::string& address, const Running& r, Clock::time_point t) const;
  // Live mode: clears the status line before a line is printed over it.
  void clear_live();
  void draw_live();
  std::mutex mu_;
  bool live_ = false;
  bool drawn_ = false;  // a status line is on screen
  size_t total_ = 0;
  std::set<std::string> done_;  // addresses whose last step so far finished
  size_t failed_ = 0;
  Clock::time_point start_;
};

}  // namespace cph::engine
