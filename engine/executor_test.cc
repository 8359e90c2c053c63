// The executor without a cloud (issue 13, item 5): a FakeRunner (Ninja's
// FakeCommandRunner is the model) scripts each step's outcome, and the
// tests check what the executor makes of it in the report and the journal.
#include <algorithm>
#include <chrono>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "cloud/call_slots.h"
#include "cloud/service_error.h"
#include "engine/executor.h"
#include "engine/step_runner.h"
#include "state/state_test_util.h"

using namespace cph;
using namespace cph::engine;
namespace asio = boost::asio;
using Json = nlohmann::json;
using planner::ActionKind;
using planner::Plan;
using planner::Step;

namespace {

// A service error as a provider's client raises it.
struct FakeServiceError : std::runtime_error, cloud::ServiceError {
  explicit FakeServiceError(bool refusal)
      : std::runtime_error(refusal ? "refused (a documented 4xx)" : "no answer (a 5xx)"), refusal(refusal) {}
  std::string describe() const override { return what(); }
  bool refused() const override { return refusal; }
  bool refusal;
};

enum class Outcome { ok, refused, unknown, wait_for_stop };

// Requests in flight, counted across runners when several share one.
struct Flight {
  int now = 0, most = 0;
};

class FakeRunner : public StepRunner {
 public:
  explicit FakeRunner(const Plan& plan, Flight* shared = nullptr) : plan_(plan), shared_(shared) {}
  std::map<std::string, Outcome> outcome;  // by address; ok when absent
  std::vector<std::string> ran, resumed;
  int in_flight = 0, most_in_flight = 0;
  // With slots, a request holds one while on the wire (as a client's
  // -parallelism does, cloud/call_slots.h), then the step waits 20 ms more
  // holding none (an order or job wait).
  cloud::CallSlots* slots = nullptr;
  int waiting = 0, most_busy = 0;  // past their request; most on the wire or waiting at once
  bool stopped() const { return stopped_; }

  asio::awaitable<void> run(const Step& step, resources::StepJournal& journal, ExecReport&) override {
    const std::string address = plan_.actions.at(step.actions.at(0)).address;
    ran.push_back(address);
    const int64_t entry = journal.intent(address, "create", "{}", Json::object());
    if (slots) co_await slots->acquire();
    most_in_flight = std::max(most_in_flight, ++in_flight);
    most_busy = std::max(most_busy, in_flight + waiting);
    if (shared_) shared_->most = std::max(shared_->most, ++shared_->now);
    co_await pause(std::chrono::milliseconds(20));  // a request in flight
    --in_flight;
    if (shared_) --shared_->now;
    if (slots) {
      slots->release();
      ++waiting;
      co_await pause(std::chrono::milliseconds(20));  // waiting for the operation, no slot held
      --waiting;
    }
    switch (outcome.count(address) ? outcome[address] : Outcome::ok) {
      case Outcome::ok:
        journal.answered(entry, {{"id", "id-" + address}});
        journal.finish({{address, "id-" + address, Json::object(), "thing"}}, {});
        break;
      case Outcome::refused: throw FakeServiceError(true);
      case Outcome::unknown: throw FakeServiceError(false);
      case Outcome::wait_for_stop:
        journal.answered(entry, {{"order_id", "o-" + address}});
        while (!stopped_) co_await pause(std::chrono::milliseconds(5));
        throw resources::Interrupted();
    }
  }

  asio::awaitable<void> resume(const resources::ResumedOperation& p, resources::StepJournal& journal,
                               ExecReport& report) override {
    resumed.push_back(p.entry.address);
    journal.finish({{p.entry.address, "resumed-id", Json::object(), "thing"}}, {});
    ++report.added;
    co_return;
  }

  void stop() override { stopped_ = true; }

 private:
  static asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
  }
  const Plan& plan_;
  Flight* shared_;
  bool stopped_ = false;
};

struct NullObserver : RunObserver {
  void planned(size_t) override {}
  void started(const std::string&, ActionKind, const std::string&) override {}
  void finished(const std::string&, const std::string&, bool) override {}
  void failed(const std::string&, const std::string&) override {}
  void interrupted(const std::string&) override {}
  void tick() override {}
  void note(const std::string&) override {}
  void close() override {}
};

// Creates of `addresses`, one step each; `after[i]` lists the steps step i waits for.
Plan plan_of(const std::vector<std::string>& addresses, const std::vector<std::vector<size_t>>& after) {
  Plan plan;
  for (size_t i = 0; i < addresses.size(); ++i) {
    planner::Action a;
    a.kind = ActionKind::create;
    a.address = addresses[i];
    a.type = "thing";
    a.block = addresses[i];
    plan.actions.push_back(a);
    planner::Step step;
    step.type = "thing";
    step.operation = "record";
    step.block = addresses[i];
    step.actions = {i};
    if (i < after.size()) step.after = after[i];
    plan.steps.push_back(step);
  }
  return plan;
}

struct Fixture {
  state::testing::TempDir dir;
  std::unique_ptr<state::StateStore> store = state::open_sqlite_state(dir.file());
  NullObserver observer;

  ExecReport execute(StepRunner& runner, const Plan& plan, resources::StopSignal* stop = nullptr,
                     std::chrono::milliseconds stop_after = std::chrono::milliseconds(0)) {
    asio::io_context io;
    ExecOptions options;
    options.run_id = "run";
    options.actor = "test";
    options.stop = stop;
    if (stop)
      asio::co_spawn(io, [stop, stop_after]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, stop_after);
        co_await t.async_wait(asio::use_awaitable);
        stop->request();
      }, asio::detached);
    auto report = asio::co_spawn(io, execute_plan(runner, *store, plan, observer, options), asio::use_future);
    io.run();
    return report.get();
  }
};

bool has(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

TEST_CASE("a failed step skips the steps that wait for it, and only those") {
  Fixture f;
  // a <- b <- c; d independent.
  Plan plan = plan_of({"a", "b", "c", "d"}, {{}, {0}, {1}, {}});
  FakeRunner runner(plan);
  runner.outcome["b"] = Outcome::refused;
  ExecReport r = f.execute(runner, plan);
  CHECK(r.succeeded == std::vector<std::string>{"a", "d"});
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].address == "b");
  CHECK(r.skipped == std::vector<std::string>{"c"});
  CHECK_FALSE(has(runner.ran, "c"));
  CHECK(r.added == 2);
  CHECK_FALSE(r.ok());
  CHECK(f.store->resource("a"));
  CHECK(f.store->resource("d"));
  CHECK_FALSE(f.store->resource("b"));
}

TEST_CASE("a refused request closes its journal entry; an unknown outcome keeps it open") {
  Fixture f;
  Plan plan = plan_of({"refused", "unknown"}, {});
  FakeRunner runner(plan);
  runner.outcome["refused"] = Outcome::refused;
  runner.outcome["unknown"] = Outcome::unknown;
  ExecReport r = f.execute(runner, plan);
  CHECK(r.failures.size() == 2);
  // Only the entry whose outcome is unknown is left for the next run to reconcile.
  std::vector<state::JournalEntry> open = f.store->open_journal();
  REQUIRE(open.size() == 1);
  CHECK(open[0].address == "unknown");
  CHECK(open[0].status == state::JournalStatus::intent);
}

TEST_CASE("Ctrl-C leaves a waiting step's entry open with its ids and starts nothing more") {
  Fixture f;
  // slow waits on an order; next waits for slow.
  Plan plan = plan_of({"slow", "next"}, {{}, {0}});
  FakeRunner runner(plan);
  runner.outcome["slow"] = Outcome::wait_for_stop;
  resources::StopSignal stop;
  ExecReport r = f.execute(runner, plan, &stop, std::chrono::milliseconds(60));
  CHECK(r.stopped);
  CHECK(r.interrupted == std::vector<std::string>{"slow"});
  CHECK(r.not_started == std::vector<std::string>{"next"});
  CHECK(r.failures.empty());
  std::vector<state::JournalEntry> open = f.store->open_journal();
  REQUIRE(open.size() == 1);
  CHECK(open[0].address == "slow");
  CHECK(open[0].status == state::JournalStatus::answered);
  CHECK(open[0].response.value("order_id", "") == "o-slow");
}

TEST_CASE("unfinished operations are resumed before the graph runs, and their rows recorded") {
  Fixture f;
  Plan plan = plan_of({"b"}, {});
  const int64_t bought = f.store->journal_intent("earlier", "a", "purchase", "digest", Json::object());
  f.store->journal_answered(bought, {{"order_id", "o1"}});
  f.store->journal_intent("earlier", "k", "create_keypair", "digest", Json::object());
  planner::PendingOperation resume;
  resume.entry = f.store->open_journal().at(0);
  resume.resume = resources::Resume::run;
  resume.resolution = "resume_purchase";
  planner::PendingOperation record;
  record.entry = f.store->open_journal().at(1);
  record.resume = resources::Resume::record;
  record.resolution = "record";
  record.response = {{"address", "k"}, {"type", "keypair"}, {"cloud_id", "k"}, {"attributes", {{"name", "k"}}}};
  plan.pending = {resume, record};
  FakeRunner runner(plan);
  ExecReport r = f.execute(runner, plan);
  CHECK(r.ok());
  CHECK(runner.resumed == std::vector<std::string>{"a"});  // the record needs no cloud
  CHECK(r.added == 2);                                      // the resumed purchase and b
  CHECK(f.store->resource("a")->cloud_id == "resumed-id");
  CHECK(f.store->resource("k")->attributes == Json{{"name", "k"}});
  CHECK(f.store->open_journal().empty());
}

TEST_CASE("independent steps run at once; a step waits for the ones it comes after") {
  Fixture f;
  Plan plan = plan_of({"a", "b", "c", "after"}, {{}, {}, {}, {0, 1, 2}});
  FakeRunner runner(plan);
  ExecReport r = f.execute(runner, plan);
  CHECK(r.ok());
  CHECK(runner.most_in_flight == 3);
  CHECK(runner.ran.back() == "after");
  CHECK(r.added == 4);
}

TEST_CASE("-parallelism bounds the requests on the wire, not the steps that wait") {
  Fixture f;
  std::vector<std::string> addresses;
  for (int i = 0; i < 12; ++i) addresses.push_back("s" + std::to_string(i));
  Plan plan = plan_of(addresses, {});
  FakeRunner runner(plan);
  cloud::CallSlots slots(3);
  runner.slots = &slots;
  ExecReport r = f.execute(runner, plan);
  CHECK(r.ok());
  CHECK(r.added == 12);
  CHECK(runner.most_in_flight == 3);  // never more than -parallelism on the wire
  CHECK(runner.most_busy > 3);        // while steps past their request wait side by side
  CHECK(slots.in_use() == 0);
}

TEST_CASE("two provider instances: each step goes to its own runner, and both run at once") {
  Fixture f;
  // east: e1 <- e2; south: s1, s2 independent; "old" names no provider (a
  // plan file from before steps named theirs) and runs on the default.
  Plan plan = plan_of({"e1", "e2", "s1", "s2", "old"}, {{}, {0}, {}, {}, {}});
  for (size_t i = 0; i < plan.steps.size(); ++i)
    plan.steps[i].provider = i < 2 ? "east" : i < 4 ? "south" : "";
  Flight flight;
  auto east = std::make_unique<FakeRunner>(plan, &flight);
  auto south = std::make_unique<FakeRunner>(plan, &flight);
  FakeRunner& e = *east;
  FakeRunner& s = *south;
  s.outcome["s2"] = Outcome::refused;
  std::map<std::string, std::unique_ptr<StepRunner>> runners;
  runners["east"] = std::move(east);
  runners["south"] = std::move(south);
  auto routed = runner_per_provider(std::move(runners), "east");
  ExecReport r = f.execute(*routed, plan);
  REQUIRE(e.ran.size() == 3);
  CHECK(has(e.ran, "old"));
  CHECK(e.ran.back() == "e2");  // after e1, which the others did not wait for
  CHECK(s.ran == std::vector<std::string>{"s1", "s2"});
  CHECK(flight.most == 4);  // e1, s1, s2 and old together: neither instance waits for the other
  // A failure in one instance skips nothing in the other.
  CHECK(r.added == 4);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].address == "s2");
  // Ctrl-C reaches every instance's runner.
  routed->stop();
  CHECK(e.stopped());
  CHECK(s.stopped());
  CHECK_THROWS_AS(runner_per_provider({}, "east"), std::invalid_argument);
}
