#include "engine/executor.h"

#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/crypto.h"
#include "resources/server.h"

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
  } catch (const cloud::CloudError& e) {
    std::string out = e.api + " failed with HTTP " + std::to_string(e.http_status);
    if (!e.error_code.empty()) out += ": " + e.error_code;
    if (!e.error_msg.empty()) out += " " + e.error_msg;
    std::string meaning = e.meaning();
    if (!meaning.empty()) out += " (" + meaning + ")";
    if (!e.request_id.empty()) out += " [request_id " + e.request_id + "]";
    return out;
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

// The journal as one step sees it: remembers the entries the step opened so
// that they are closed together with the step's rows, or left open for the
// next run when the outcome is unknown.
class StepJournal : public resources::OperationJournal {
 public:
  StepJournal(state::StateStore& store, std::string run_id, std::string actor, int64_t resumed_entry = 0)
      : store_(store), run_id_(std::move(run_id)), actor_(std::move(actor)) {
    if (resumed_entry) entries_.push_back({resumed_entry, true});
  }

  int64_t intent(const std::string& address, const std::string& operation, const std::string& request_body,
                 const Json& idempotency) override {
    Json intent = idempotency;
    intent["by"] = actor_;  // who, for history; not part of the request digest
    int64_t id = store_.journal_intent(run_id_, address, operation, crypto::sha256_hex(request_body), intent);
    entries_.push_back({id, false});
    return id;
  }

  void answered(int64_t entry, const Json& response) override {
    store_.journal_answered(entry, response);
    for (auto& e : entries_)
      if (e.id == entry) e.answered = true;
  }

  // Success: the first entry is closed with the rows in one transaction.
  void finish(const std::vector<state::ResourceRow>& put, const std::vector<std::string>& remove) {
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
  }

  // Failure: an entry whose request the service answered with an error did
  // nothing and is closed as failed. Entries with ids recorded, or whose
  // request may or may not have arrived, stay open: the next run resumes or
  // reconciles them instead of sending again.
  void abandon(std::exception_ptr error) {
    bool rejected = false;
    try {
      std::rethrow_exception(error);
    } catch (const cloud::CloudError&) {
      rejected = true;
    } catch (...) {
    }
    for (const auto& e : entries_)
      if (!e.answered && rejected) store_.journal_failed(e.id, describe_error(error));
  }

 private:
  struct Entry {
    int64_t id;
    bool answered;
  };
  state::StateStore& store_;
  std::string run_id_;
  std::string actor_;
  std::vector<Entry> entries_;
};

state::ResourceRow row_of(const resources::InstanceResult& r) {
  state::ResourceRow row;
  row.address = r.address;
  row.type = "server";
  row.cloud_id = r.cloud_id;
  row.attributes = r.attributes;
  return row;
}

class Run {
 public:
  Run(cloud::CphClient& cloud, state::StateStore& store, const Plan& plan, Progress& progress, ExecOptions options)
      : cloud_(cloud), store_(store), plan_(plan), progress_(progress), options_(std::move(options)) {}

  asio::awaitable<ExecReport> go() {
    auto ex = co_await asio::this_coro::executor;
    Event finished(ex), ticker_done(ex);
    asio::co_spawn(ex, ticker(finished, ticker_done), asio::detached);

    co_await settle_pending();
    for (const std::string& address : plan_.vanished) store_.remove_resource(address);

    std::vector<std::unique_ptr<Event>> done;
    for (size_t i = 0; i < plan_.steps.size(); ++i) done.push_back(std::make_unique<Event>(ex));
    ok_.assign(plan_.steps.size(), false);
    for (size_t i = 0; i < plan_.steps.size(); ++i) asio::co_spawn(ex, run_step(i, done), asio::detached);
    for (auto& d : done) co_await d->wait();

    finished.set();
    if (tick_timer_) tick_timer_->cancel();  // do not keep the run waiting for the next tick
    co_await ticker_done.wait();
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
            auto results = co_await resources::resume_purchase(cloud_, journal, intent, response, options_.poll);
            std::vector<state::ResourceRow> rows;
            for (const auto& r : results) rows.push_back(row_of(r));
            journal.finish(rows, {});
            report_.added += static_cast<int>(rows.size());
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
          case planner::Resolution::settle:
            journal.finish({}, {});
            break;
        }
      } catch (...) {
        report_.failures.push_back({p.entry.address, describe_error(std::current_exception())});
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
    if (blocked) {
      for (size_t a : step.actions) report_.skipped.push_back(plan_.actions[a].address);
      done[index]->set();
      co_return;
    }
    StepJournal journal(store_, options_.run_id, options_.actor);
    try {
      switch (step.kind) {
        case StepKind::purchase: co_await purchase(step, journal); break;
        case StepKind::rename: co_await rename(step, journal); break;
        case StepKind::unsubscribe: co_await release(step, journal); break;
      }
      ok_[index] = true;
    } catch (...) {
      auto error = std::current_exception();
      journal.abandon(error);
      std::string message = describe_error(error);
      for (size_t a : step.actions) {
        progress_.failed(plan_.actions[a].address, message);
        report_.failures.push_back({plan_.actions[a].address, message});
      }
    }
    done[index]->set();
  }

  asio::awaitable<void> purchase(const Step& step, StepJournal& journal) {
    std::vector<resources::ServerInstance> instances;
    for (size_t a : step.actions) {
      const Action& act = plan_.actions[a];
      instances.push_back({act.address, act.after.at("name").get<std::string>(), act.after});
      progress_.started(act.address, ActionKind::create);
    }
    const std::string block_name = plan_.actions[step.actions.front()].block_name;
    auto results = co_await resources::purchase_servers(cloud_, journal, instances, block_name, options_.poll);
    std::vector<state::ResourceRow> rows;
    for (const auto& r : results) rows.push_back(row_of(r));
    journal.finish(rows, {});
    for (const auto& r : results) progress_.finished(r.address, r.cloud_id);
    report_.added += static_cast<int>(rows.size());
  }

  asio::awaitable<void> rename(const Step& step, StepJournal& journal) {
    const Action& act = plan_.actions[step.actions.front()];
    progress_.started(act.address, ActionKind::update);
    Json attributes = resources::recorded_attributes(resources::server_schema(), act.after, act.before);
    auto result = co_await resources::rename_server(cloud_, journal, act.address, act.cloud_id, attributes,
                                                    act.after.at("name").get<std::string>());
    journal.finish({row_of(result)}, {});
    progress_.finished(act.address, act.cloud_id);
    report_.changed += 1;
  }

  asio::awaitable<void> release(const Step& step, StepJournal& journal) {
    std::vector<resources::ServerToRelease> servers;
    std::vector<std::string> addresses;
    for (size_t a : step.actions) {
      const Action& act = plan_.actions[a];
      servers.push_back({act.address, act.cloud_id});
      addresses.push_back(act.address);
      progress_.started(act.address, ActionKind::remove);
    }
    co_await resources::unsubscribe_servers(cloud_, journal, servers, options_.poll);
    journal.finish({}, addresses);
    for (size_t a : step.actions) progress_.finished(plan_.actions[a].address, "");
    report_.destroyed += static_cast<int>(addresses.size());
  }

  cloud::CphClient& cloud_;
  state::StateStore& store_;
  const Plan& plan_;
  Progress& progress_;
  ExecOptions options_;
  ExecReport report_;
  std::vector<bool> ok_;
  asio::steady_timer* tick_timer_ = nullptr;  // the ticker's, while it runs
};

}  // namespace

asio::awaitable<ExecReport> execute_plan(cloud::CphClient& cloud, state::StateStore& store, const Plan& plan,
                                         Progress& progress, ExecOptions options) {
  Run run(cloud, store, plan, progress, std::move(options));
  co_return co_await run.go();
}

}  // namespace cph::engine
