#include "engine/executor.h"

#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cloud/http.h"
#include "cloud/service_error.h"
#include "engine/step_journal.h"
#include "engine/step_runner.h"
#include "planner/planner.h"
#include "resources/polling.h"
#include "resources/schema.h"

namespace cph::engine {

namespace asio = boost::asio;
namespace res = cph::resources;
using planner::Action;
using planner::ActionKind;
using planner::Plan;
using planner::Step;
using Json = nlohmann::json;

std::string describe_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const cloud::ServiceError& e) {
    return e.describe();
  } catch (const cloud::TransportError& e) {
    return std::string("connection failed: ") + e.what() +
           (e.maybe_sent ? " (the request may have reached the service; the journal keeps it for the next run)" : "");
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

namespace {

// A one-shot signal between coroutines on one executor.
class Event {
 public:
  explicit Event(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}
  void set() {
    set_ = true;
    timer_.cancel();
  }
  bool is_set() const { return set_; }
  asio::awaitable<void> wait() {
    while (!set_) {
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

 private:
  asio::steady_timer timer_;
  bool set_ = false;
};

class Run {
 public:
  Run(StepRunner& runner, state::StateStore& store, const Plan& plan, RunObserver& progress, ExecOptions options)
      : runner_(runner), store_(store), plan_(plan), progress_(progress), options_(std::move(options)) {
    if (options_.stop) options_.stop->on_request([this] { runner_.stop(); });
  }
  ~Run() {
    if (options_.stop) options_.stop->clear_callbacks();  // the signal outlives this run
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  asio::awaitable<ExecReport> go() {
    auto ex = co_await asio::this_coro::executor;
    Event finished(ex), ticker_done(ex);
    asio::co_spawn(ex, ticker(finished, ticker_done), asio::detached);

    progress_.planned(plan_.actions.size());
    co_await settle_pending();
    for (const std::string& address : plan_.vanished) store_.remove_resource(address);
    std::vector<std::unique_ptr<Event>> done;
    for (size_t i = 0; i < plan_.steps.size(); ++i) done.push_back(std::make_unique<Event>(ex));
    ok_.assign(plan_.steps.size(), false);
    // An action is done when its last step is; it counts once.
    steps_left_.assign(plan_.actions.size(), 0);
    action_ok_.assign(plan_.actions.size(), true);
    called_.assign(plan_.actions.size(), false);
    for (const Step& s : plan_.steps)
      for (size_t a : s.actions) ++steps_left_[a];
    for (size_t i = 0; i < plan_.steps.size(); ++i) asio::co_spawn(ex, run_step(i, done), asio::detached);
    for (auto& d : done) co_await d->wait();
    finished.set();
    if (tick_timer_) tick_timer_->cancel();  // do not keep the run waiting for the next tick
    co_await ticker_done.wait();
    progress_.close();
    report_.stopped = !report_.interrupted.empty() || !report_.not_started.empty();
    co_return report_;
  }

 private:
  asio::awaitable<void> ticker(Event& finished, Event& ticker_done) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    tick_timer_ = &timer;
    int seconds = 0;
    while (!finished.is_set()) {
      timer.expires_after(std::chrono::seconds(1));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (finished.is_set()) break;
      progress_.tick();
      if (++seconds % 60 == 0 && options_.heartbeat) options_.heartbeat();
    }
    tick_timer_ = nullptr;
    ticker_done.set();
  }

  // Unfinished journal entries of earlier runs, as the planner resolved them.
  asio::awaitable<void> settle_pending() {
    for (const planner::PendingOperation& p : plan_.pending) {
      if (stopping()) {  // still open: the next run resumes it
        report_.interrupted.push_back(p.entry.address);
        continue;
      }
      progress_.note("Resuming " + p.description);
      StepJournal journal(store_, options_.run_id, options_.actor, p.entry.id);
      journal.own_rows(planner::recorded_provider(p.provider, p.entry.address));
      try {
        switch (p.resume) {
          case resources::Resume::run: {
            // Named, not a temporary in the co_await's full expression:
            // GCC 12 destroys those twice.
            const resources::ResumedOperation operation{planner::open_entry(p.entry), p.resolution, p.response,
                                                        p.provider};
            co_await runner_.resume(operation, journal, report_);
            break;
          }
          case resources::Resume::not_placed:
            store_.journal_failed(p.entry.id, "not placed: " + p.description);
            break;
          case resources::Resume::record: {
            journal.finish({{p.response.at("address").get<std::string>(), p.response.at("cloud_id").get<std::string>(),
                             p.response.at("attributes"), p.response.at("type").get<std::string>()}},
                           {});
            break;
          }
          case resources::Resume::settle:
            journal.finish({}, {});
            break;
        }
      } catch (const resources::Interrupted&) {
        report_.interrupted.push_back(p.entry.address);
      } catch (const resources::OperationFailed& e) {
        // A final outcome: what it made is recorded and its entry closed.
        journal.close_failed(e.what(), e.made);
        if (e.settled)  // e.g. only servers released since: reconciled, nothing failed
          progress_.note("Settled " + p.description + ": " + e.what());
        else
          report_.failures.push_back({p.entry.address, e.what()});
      } catch (...) {
        auto error = std::current_exception();
        journal.abandon(error);
        report_.failures.push_back({p.entry.address, describe_error(error)});
      }
    }
  }

  asio::awaitable<void> run_step(size_t index, std::vector<std::unique_ptr<Event>>& done) {
    const Step& step = plan_.steps[index];
    bool blocked = false;
    for (size_t dep : step.after) {
      co_await done[dep]->wait();
      if (!ok_[dep]) blocked = true;
    }
    if (blocked || stopping()) {
      for (size_t a : step.actions)
        if (action_ok_[a]) {
          action_ok_[a] = false;
          // After Ctrl-C a step whose dependency was interrupted did not
          // fail: it was not started.
          (stopping() ? report_.not_started : report_.skipped).push_back(plan_.actions[a].address);
        }
      done[index]->set();
      co_return;
    }
    StepJournal journal(store_, options_.run_id, options_.actor);
    journal.own_rows(planner::recorded_provider(step.provider, plan_.actions[step.actions.front()].type));
    try {
      co_await runner_.run(step, journal, report_);
      ok_[index] = true;
      if (journal.called())
        for (size_t a : step.actions) called_[a] = true;
    } catch (const resources::Interrupted&) {
      // Entries stay open with the ids they got: resumed, not re-sent.
      for (size_t a : step.actions) {
        progress_.interrupted(plan_.actions[a].address);
        if (action_ok_[a]) report_.interrupted.push_back(plan_.actions[a].address);
        action_ok_[a] = false;
      }
    } catch (...) {
      auto error = std::current_exception();
      journal.abandon(error);
      std::string message = describe_error(error);
      for (size_t a : step.actions) {
        progress_.failed(plan_.actions[a].address, message);
        if (action_ok_[a]) report_.failures.push_back({plan_.actions[a].address, message});
        action_ok_[a] = false;
      }
    }
    for (size_t a : step.actions)
      if (--steps_left_[a] == 0 && action_ok_[a]) count_done(plan_.actions[a], called_[a]);
    done[index]->set();
  }

  bool stopping() const { return options_.stop && options_.stop->requested(); }

  // An update counts as changed only when its steps made a call; one that
  // needed none (a change for new orders only) was recorded in state.
  void count_done(const Action& a, bool called) {
    report_.succeeded.push_back(a.address);
    switch (a.kind) {
      case ActionKind::create: ++report_.added; break;
      case ActionKind::update:
      case ActionKind::switch_phones: ++(called ? report_.changed : report_.recorded); break;
      case ActionKind::replace:
        ++report_.added;
        ++report_.destroyed;
        break;
      case ActionKind::remove: ++report_.destroyed; break;
    }
  }

  StepRunner& runner_;
  state::StateStore& store_;
  const Plan& plan_;
  RunObserver& progress_;
  ExecOptions options_;
  ExecReport report_;
  std::vector<bool> ok_;
  std::vector<int> steps_left_;
  std::vector<bool> action_ok_;
  std::vector<bool> called_;  // an action's steps made a mutating call
  asio::steady_timer* tick_timer_ = nullptr;  // the ticker's, while it runs
};

// Consent (docs/semantics.md): a switch (3.6) recreates the phones, and a
// server replacement releases a paid server (its phones and their data go
// with it) and places a new order. Neither runs without -allow-data-loss or
// lifecycle.allow_data_loss; -replace=ADDR asks for a replacement but is no
// consent by itself. Refused before any call.
void check_consent(const Plan& plan, const ExecOptions& options) {
  std::vector<std::string> switched;
  std::map<std::string, std::vector<std::string>> replaced;  // by type
  for (const Action& a : plan.actions) {
    if (a.allow_data_loss || options.allow_data_loss) continue;
    if (a.kind == ActionKind::switch_phones) switched.push_back(a.address);
    if (a.kind != ActionKind::replace) continue;
    const res::ResourceSchema* schema = res::find_schema(a.type);
    if (schema && !schema->replacement_loses.empty()) replaced[a.type].push_back(a.address);
  }
  std::vector<std::string> problems;
  if (!switched.empty())
    problems.push_back("refusing to switch " + planner::compact_addresses(switched) +
                       ": a new image_id or phone_model recreates the phones and loses their data (CPH API: Change a cloud phone server).");
  for (auto& [type, addresses] : replaced)
    problems.push_back("refusing to replace " + planner::compact_addresses(addresses) + ": " +
                       res::find_schema(type)->replacement_loses + ".");
  if (problems.empty()) return;
  std::string message;
  for (const auto& p : problems) message += p + " ";
  throw std::runtime_error(message + "Nothing was changed. Apply with -allow-data-loss, or set lifecycle = { "
                           "allow_data_loss = true } on the block.");
}

}  // namespace

asio::awaitable<ExecReport> execute_plan(StepRunner& runner, state::StateStore& store, const Plan& plan,
                                         RunObserver& progress, ExecOptions options) {
  check_consent(plan, options);
  Run run(runner, store, plan, progress, std::move(options));
  co_return co_await run.go();
}

}  // namespace cph::engine
