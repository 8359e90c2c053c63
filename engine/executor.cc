#include "engine/executor.h"

#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/crypto.h"
#include "engine/run_context.h"
#include "planner/planner.h"
#include "resources/cph/server.h"
#include "resources/cph/server_watcher.h"

namespace cph::engine {

namespace asio = boost::asio;
using planner::Action;
using planner::ActionKind;
using planner::Plan;
using planner::Step;
using planner::StepKind;
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

StepJournal::StepJournal(state::StateStore& store, std::string run_id, std::string actor, int64_t resumed_entry)
    : store_(store), run_id_(std::move(run_id)), actor_(std::move(actor)) {
  if (resumed_entry) entries_.push_back({resumed_entry, true});
}

int64_t StepJournal::intent(const std::string& address, const std::string& operation, const std::string& request_body,
                            const Json& idempotency) {
  Json intent = idempotency;
  intent["by"] = actor_;  // who, for history; not part of the request digest
  int64_t id = store_.journal_intent(run_id_, address, operation, crypto::sha256_hex(request_body), intent);
  entries_.push_back({id, false});
  ++intents_;
  return id;
}

void StepJournal::answered(int64_t entry, const Json& response) {
  store_.journal_answered(entry, response);
  for (auto& e : entries_)
    if (e.id == entry) e.answered = true;
}

void StepJournal::finish(const std::vector<state::ResourceRow>& put, const std::vector<std::string>& remove) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i == 0)
      store_.journal_done(entries_[i].id, put, remove);
    else
      store_.journal_done(entries_[i].id, {}, {});
  }
  if (entries_.empty() && (!put.empty() || !remove.empty())) {
    for (const auto& row : put) store_.put_resource(row);
    for (const auto& a : remove) store_.remove_resource(a);
  }
  entries_.clear();  // a later finish of the same step (tags after a purchase) writes its rows directly
}

void StepJournal::abandon(std::exception_ptr error) {
  // Only a documented refusal (CloudError::refused: a 4xx with a well-formed
  // error body) means the service did nothing. Anything else - a 5xx, a 4xx
  // without such a body, a malformed 2xx, a lost answer - may come after the
  // work was done: the entry stays open and the next plan reconciles it
  // against the live inventory before anything is sent again.
  bool rejected = false;
  try {
    std::rethrow_exception(error);
  } catch (const resources::PurchaseFailed& e) {
    return close_failed(e.what(), e.servers);
  } catch (const resources::OperationFailed& e) {
    return close_failed(e.what(), {});
  } catch (const cloud::ServiceError& e) {
    rejected = e.refused();
  } catch (...) {
  }
  for (const auto& e : entries_)
    if (!e.answered && rejected) store_.journal_failed(e.id, describe_error(error));
}

void StepJournal::close_failed(const std::string& outcome, const std::vector<resources::InstanceResult>& servers) {
  // Rows first: a crash before the entry closes resumes it, which ends the
  // same way and writes the same rows.
  for (const resources::InstanceResult& r : servers) {
    state::ResourceRow row{r.address, "server", r.cloud_id, r.attributes, {}, ""};
    if (row.attributes.contains("_bandwidth_block")) {
      row.attributes["bandwidth"] = row.attributes["_bandwidth_block"];
      row.attributes.erase("_bandwidth_block");
    }
    store_.put_resource(row);
  }
  // The operation's own entry carries the outcome; what it led to (renames,
  // payment) was answered and is done.
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i == 0)
      store_.journal_failed(entries_[i].id, outcome);
    else
      store_.journal_done(entries_[i].id, {}, {});
  }
  entries_.clear();
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
  Run(cloud::CphClient& cloud, state::StateStore& store, const Plan& plan, RunObserver& progress, ExecOptions options)
      : cloud_(cloud), store_(store), plan_(plan), progress_(progress), options_(std::move(options)),
        poller_(cloud, cloud::JobPollOptions{options_.poll.initial, options_.poll.max, options_.poll.factor}),
        watcher_(cloud, stoppable(options_)),
        ctx_{cloud_, store_, poller_, plan_, progress_, options_, report_} {
    options_.poll.stop = options_.stop;
    options_.poll.servers = &watcher_;  // every purchase, new or resumed, waits through it
    if (options_.stop)
      options_.stop->on_request([this] { poller_.stop(std::make_exception_ptr(resources::Interrupted())); });
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
      try {
        switch (p.resolution) {
          case planner::Resolution::resume_purchase:
          case planner::Resolution::adopt_purchase: {
            Json intent = p.entry.intent;
            Json response = p.entry.response;
            if (p.resolution == planner::Resolution::adopt_purchase) {
              intent["instances"] = p.response["instances"];
              response = p.response;
            }
            // Its servers get their lines like any purchase's (a resumed
            // purchase that sets tags must say which resources it touched).
            for (const Json& inst : intent.at("instances"))
              progress_.started(inst.at("address").get<std::string>(), planner::ActionKind::create);
            auto results = co_await resources::resume_purchase(cloud_, journal, intent, response, options_.poll);
            report_.added += static_cast<int>(results.size());
            co_await finish_purchase(ctx_, journal, std::move(results), intent.at("instances"));
            break;
          }
          case planner::Resolution::purchase_not_placed:
            store_.journal_failed(p.entry.id, "not placed: " + p.description);
            break;
          case planner::Resolution::resume_unsubscribe: {
            co_await resources::resume_unsubscribe(cloud_, p.entry.intent, options_.poll);
            std::vector<std::string> addresses;
            for (const Json& s : p.entry.intent.at("servers")) addresses.push_back(s.at("address").get<std::string>());
            journal.finish({}, addresses);
            report_.destroyed += static_cast<int>(addresses.size());
            break;
          }
          case planner::Resolution::record: {
            state::ResourceRow row;
            row.address = p.response.at("address").get<std::string>();
            row.type = p.response.at("type").get<std::string>();
            row.cloud_id = p.response.at("cloud_id").get<std::string>();
            row.attributes = p.response.at("attributes");
            journal.finish({row}, {});
            break;
          }
          case planner::Resolution::settle:
            journal.finish({}, {});
            break;
        }
      } catch (const resources::Interrupted&) {
        report_.interrupted.push_back(p.entry.address);
      } catch (const resources::PurchaseFailed& e) {
        journal.close_failed(e.what(), e.servers);
        if (e.abnormal)
          report_.failures.push_back({p.entry.address, e.what()});
        else  // only servers released since: reconciled, nothing failed
          progress_.note("Settled " + p.description + ": " + e.what());
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
    try {
      co_await run_step_kind(ctx_, step, journal);
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
  static resources::PollPolicy stoppable(const ExecOptions& o) {
    resources::PollPolicy p = o.poll;
    p.stop = o.stop;
    return p;
  }

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

  cloud::CphClient& cloud_;
  state::StateStore& store_;
  const Plan& plan_;
  RunObserver& progress_;
  ExecOptions options_;
  ExecReport report_;
  cloud::JobPoller poller_;
  resources::ServerWatcher watcher_;
  RunContext ctx_;
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
  std::vector<std::string> switched, replaced;
  for (const Action& a : plan.actions) {
    if (a.allow_data_loss || options.allow_data_loss) continue;
    if (a.kind == ActionKind::switch_phones) switched.push_back(a.address);
    if (a.kind == ActionKind::replace && a.type == "server") replaced.push_back(a.address);
  }
  std::vector<std::string> problems;
  if (!switched.empty())
    problems.push_back("refusing to switch " + planner::compact_addresses(switched) +
                       ": a new image_id or phone_model recreates the phones and loses their data (CPH API: Change a cloud phone server).");
  if (!replaced.empty())
    problems.push_back("refusing to replace " + planner::compact_addresses(replaced) +
                       ": a replacement releases the paid server (its phones' data is lost) and buys a new one "
                       "(CPH API: Purchase cloud phone servers).");
  if (problems.empty()) return;
  std::string message;
  for (const auto& p : problems) message += p + " ";
  throw std::runtime_error(message + "Nothing was changed. Apply with -allow-data-loss, or set lifecycle = { "
                           "allow_data_loss = true } on the block.");
}

}  // namespace

asio::awaitable<ExecReport> execute_plan(cloud::CphClient& cloud, state::StateStore& store, const Plan& plan,
                                         RunObserver& progress, ExecOptions options) {
  check_consent(plan, options);
  Run run(cloud, store, plan, progress, std::move(options));
  co_return co_await run.go();
}

}  // namespace cph::engine
