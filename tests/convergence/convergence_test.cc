// Issue 11's convergence property test. For each seed: generate valid
// manifests, then take random steps — edit the manifests, change the cloud
// behind cphform's back, switch faults on for one apply, kill -9 an apply at
// a random moment — and after every apply that exits 0 check, through the
// emulator's API: (a) the next plan is empty, (b) the cloud holds exactly
// what the manifests declare, (c) no server was bought twice, (d) what apply
// printed matches the mutating calls it sent.
//
// Environment (defaults keep CI within its budget):
//   CONVERGENCE_SEED=N     run only seed N (the replay command a failure prints)
//   CONVERGENCE_SEEDS=K    run K seeds from CONVERGENCE_FIRST_SEED (default 1); default 6, 2 under ASan
//   CONVERGENCE_STEPS=S    steps per seed; default 6
// scripts/convergence.sh runs thousands of seeds.
#include <signal.h>

#include <chrono>
#include <regex>
#include <cstdlib>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "common/sanitized.h"
#include "tests/convergence/checks.h"
#include "tests/convergence/generator.h"
#include "tests/convergence/outside.h"

using namespace cph::convergence;
using namespace cph::e2e;
using Json = nlohmann::json;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

const std::vector<std::string> kApply = {"apply", "-auto-approve", "-lock-timeout=10s"};

std::string tail(const std::string& text, size_t lines) {
  size_t at = text.size();
  for (size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

// One seed's run: its emulator, workspace, manifests and step log.
class SeedRun {
 public:
  SeedRun(unsigned seed, int steps)
      : seed_(seed), steps_(steps), rng_(seed), outside_(emu_), spec_(generate(rng_, emu_.url())) {}

  // "" when every check held, else the failure report.
  std::string run() {
    try {
      write_manifests("initial manifests");
      Problems p = converge();
      for (int i = 1; p.empty() && i <= steps_; ++i) {
        mutate();
        p = converge();
      }
      return p.empty() ? "" : report(p);
    } catch (const std::exception& e) {
      return report({std::string("exception: ") + e.what()});
    }
  }

 private:
  void note(const std::string& s) { log_.push_back(s); }

  void write_manifests(const std::string& why) {
    dir_.write("main.toml", spec_.render());
    note(why);
  }

  // 1 to 3 changes: manifest edits, changes behind cphform's back.
  void mutate() {
    bool edited = false;
    for (int n = rng_.between(1, 3); n > 0; --n) {
      const int what = rng_.between(0, 9);
      if (what < 5) {
        note("edit " + edit(rng_, spec_));
        edited = true;
      } else if (what < 9 || outside_.unmanaged_names().empty()) {
        note(outside_.change(rng_));
      } else {  // bulk import of a server no block declares: it must not be destroyed later
        const std::string name = rng_.pick(outside_.unmanaged_names());
        const int code = run_cphform({"import", "-filter", "name_prefix=" + name}, dir_.path(), &emu_).exit_code;
        note("import -filter name_prefix=" + name + ": exit " + std::to_string(code));
      }
    }
    if (edited) dir_.write("main.toml", spec_.render());
  }

  std::vector<Json> take_calls() { return successful_calls(emu_.admin("/_emulator/calls/reset", "POST")); }

  Json state() {
    RunResult r = run_cphform({"state", "pull"}, dir_.path(), nullptr);
    if (r.exit_code != 0) throw std::runtime_error("state pull exited " + std::to_string(r.exit_code) + ": " + r.err);
    return Json::parse(r.out);
  }

  // A disturbed apply: killed at a random moment or run under faults. Its
  // outcome is not checked; what it leaves behind must be repaired.
  void disturb(bool& order_faults) {
    switch (rng_.between(0, 9)) {
      case 0:
      case 1: {
        const int ms = rng_.between(20, 900);
        auto p = start_cphform(kApply, dir_.path(), &emu_, "killed");
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        p->signal(SIGKILL);
        const int code = p->wait();
        note(code == 128 + SIGKILL ? "apply killed (-9) after " + std::to_string(ms) + " ms"
                                   : "apply finished before the kill at " + std::to_string(ms) + " ms: exit " +
                                         std::to_string(code));
        return;
      }
      case 2: {
        emu_.set_faults({{"error_rate", 0.15}, {"throttle_rate", 0.05}, {"reset_rate", 0.05}});
        const int code = run_cphform(kApply, dir_.path(), &emu_).exit_code;
        emu_.set_faults(Json::object());
        note("apply under 5xx/429/resets: exit " + std::to_string(code));
        return;
      }
      case 3: {
        emu_.set_faults({{"order_failure_rate", 1}});
        const int code = run_cphform(kApply, dir_.path(), &emu_).exit_code;
        emu_.set_faults(Json::object());
        note("apply with every order failing: exit " + std::to_string(code));
        order_faults = true;
        return;
      }
      default: return;
    }
  }

  // Maybe a disturbed apply, then clean applies until one exits 0 (at most
  // 3), then the four checks.
  Problems converge() {
    take_calls();  // the outside changes' calls are not cphform's
    std::set<std::string> before;
    for (const cph::cloud::Server& s : emu_.servers()) before.insert(s.server_id);
    bool order_faults = false;
    disturb(order_faults);
    int earlier_units = purchased_units(take_calls());
    RunResult apply;
    Json state_before;
    std::vector<Json> calls;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      state_before = state();
      apply = run_cphform(kApply, dir_.path(), &emu_);
      calls = take_calls();
      note("apply: exit " + std::to_string(apply.exit_code));
      if (apply.exit_code == 0) break;
      earlier_units += purchased_units(calls);
      note("  its error output ends: " + tail(apply.err, 4));
    }
    if (apply.exit_code != 0) return {"three clean applies in a row failed: the workspace is wedged"};
    // A server that a failed order left abnormal is kept and noted, never
    // rebought unasked (docs/recovery.md): the way out is -replace with
    // consent, which the driver takes as a user would.
    std::vector<std::string> replace = {kApply.begin(), kApply.end()};
    static const std::regex advice(R"(Replace it with -replace=([^ ,]+),)");
    for (auto it = std::sregex_iterator(apply.out.begin(), apply.out.end(), advice); it != std::sregex_iterator(); ++it)
      replace.push_back("-replace=" + (*it)[1].str());
    if (replace.size() > kApply.size()) {
      replace.push_back("-allow-data-loss");
      earlier_units += purchased_units(calls);
      state_before = state();
      apply = run_cphform(replace, dir_.path(), &emu_);
      calls = take_calls();
      note("apply -replace of the abnormal servers: exit " + std::to_string(apply.exit_code));
      if (apply.exit_code != 0) return {"apply -replace of abnormal servers failed:\n" + apply.out + apply.err};
    }
    Problems p;
    RunResult plan = run_cphform({"plan", "-detailed-exitcode"}, dir_.path(), &emu_);
    if (plan.exit_code != 0)
      p.push_back("(a) plan -detailed-exitcode after a successful apply exited " + std::to_string(plan.exit_code) +
                  ":\n" + plan.out + plan.err);
    take_calls();  // plan reads only (a mutating plan would show in the next apply's check)
    for (std::string& s : check_cloud(spec_, emu_, outside_.unmanaged())) p.push_back("(b) " + s);
    const int units = earlier_units + purchased_units(calls);
    if (!order_faults)  // abnormal servers bought under order faults are replaced: more purchases than servers
      for (std::string& s : check_purchases(units, before, emu_, outside_.unmanaged())) p.push_back("(c) " + s);
    for (std::string& s : check_summary(apply.out, calls, spec_, state_before, state(), earlier_units))
      p.push_back("(d) " + s);
    if (!p.empty()) p.push_back("the apply printed:\n" + apply.out + apply.err);
    return p;
  }

  std::string report(const Problems& problems) const {
    std::ostringstream r;
    r << "convergence failure, seed " << seed_ << "\nsteps:\n";
    for (size_t i = 0; i < log_.size(); ++i) r << "  " << i + 1 << ". " << log_[i] << "\n";
    r << "problems:\n";
    for (const std::string& p : problems) r << "  - " << p << "\n";
    r << "manifests:\n" << spec_.render() << "replay: CONVERGENCE_SEED=" << seed_ << " CONVERGENCE_STEPS=" << steps_
      << " build/tests/convergence_test\n";
    return r.str();
  }

  unsigned seed_;
  int steps_;
  Rng rng_;
  EmulatorProcess emu_{1000.0};
  TempDir dir_;
  Outside outside_;
  Spec spec_;
  std::vector<std::string> log_;
};

}  // namespace

TEST_CASE("convergence: after every successful apply the plan is empty, the cloud is what the manifests say, "
          "nothing is bought twice and the summary matches the calls",
          "[e2e][convergence]") {
  const int single = env_int("CONVERGENCE_SEED", -1);
  const unsigned first = single >= 0 ? static_cast<unsigned>(single) : static_cast<unsigned>(env_int("CONVERGENCE_FIRST_SEED", 1));
  const int seeds = single >= 0 ? 1 : env_int("CONVERGENCE_SEEDS", cph::kSanitized ? 2 : 6);
  const int steps = env_int("CONVERGENCE_STEPS", 6);
  int failed = 0;
  for (unsigned seed = first; seed < first + static_cast<unsigned>(seeds); ++seed) {
    const std::string failure = SeedRun(seed, steps).run();
    if (failure.empty()) continue;
    ++failed;
    FAIL_CHECK(failure);
  }
  INFO(failed << " of " << seeds << " seeds failed");
  CHECK(failed == 0);
}
