// The shared server polling loop of server_watcher.h.
#include "resources/cph/server_watcher.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "resources/polling.h"

namespace cph::resources {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kPageSize = 100;  // the most 3.1 gives in one page
// A new wait's order has just completed, so its servers are likely out of
// creation already: the next round comes this soon (or at `initial`, if
// shorter), and the waits arriving meanwhile share it.
constexpr std::chrono::milliseconds kJoinDelay{50};

bool out_of_creation(int status) { return status == 5 || status == 2 || status == kServerGone; }

// One suspended wait(): woken by cancelling its timer.
struct Waiter {
  explicit Waiter(asio::any_io_executor ex) : signal(ex, Clock::time_point::max()) {}
  asio::steady_timer signal;
  std::vector<std::string> ids;
  std::string subject;
  Clock::time_point deadline;
  std::vector<cloud::Server> servers;
  std::exception_ptr error;
  bool done = false;
};

void wake(Waiter& w, std::vector<cloud::Server> servers, std::exception_ptr error) {
  w.servers = std::move(servers);
  w.error = std::move(error);
  w.done = true;
  w.signal.cancel();
}

}  // namespace

struct ServerWatcher::State {
  State(cloud::CphClient& c, PollPolicy p) : client(c), poll(p) {}
  cloud::CphClient& client;
  PollPolicy poll;
  std::vector<std::shared_ptr<Waiter>> waiting;
  std::map<std::string, cloud::Server> read;  // the last reading of each waited server
  std::set<std::string> unlisted;             // not in a complete listing: read alone (3.2)
  bool running = false;
  bool stopped = false;
  std::exception_ptr stop_error;
  bool new_waiter = false;  // a wait arrived since the last round: restart at `initial`
  Clock::time_point newest;  // when the last wait arrived
  std::optional<asio::steady_timer> sleep;
  Clock::time_point wake_at;
  int64_t rounds = 0;
  int64_t calls = 0;
  std::weak_ptr<State> self;

  bool settled(const std::string& id) const {
    auto it = read.find(id);
    return it != read.end() && out_of_creation(it->second.status);
  }
  bool interrupted() const { return poll.stop && poll.stop->requested(); }

  // Keeps a reading of a waited server; true when its status changed.
  bool record(const cloud::Server& s) {
    auto [it, inserted] = read.try_emplace(s.server_id, s);
    const bool changed = inserted || it->second.status != s.status;
    it->second = s;
    return changed;
  }

  // Wakes the waits for which `done(waiter)` gives an outcome, and forgets
  // the readings no remaining wait needs.
  template <class Outcome>
  void wake_where(Outcome done) {
    std::vector<std::shared_ptr<Waiter>> still;
    for (auto& w : waiting)
      if (!done(*w)) still.push_back(w);
    waiting = std::move(still);
    std::set<std::string> needed;
    for (const auto& w : waiting) needed.insert(w->ids.begin(), w->ids.end());
    std::erase_if(read, [&](const auto& r) { return !needed.count(r.first); });
    std::erase_if(unlisted, [&](const std::string& id) { return !needed.count(id); });
  }

  void fail_all(std::exception_ptr error) {
    wake_where([&](Waiter& w) {
      wake(w, {}, error);
      return true;
    });
  }

  void stop(std::exception_ptr error) {
    stopped = true;
    stop_error = error;
    if (sleep) {
      if (poll.stop) poll.stop->remove(&*sleep);  // the signal may outlive this watcher
      sleep->cancel();
    }
    fail_all(error);
  }

  // Reads the list newest first until every server in `wanted` was seen;
  // those a complete listing did not show are read alone from now on.
  asio::awaitable<bool> read_list(std::set<std::string> wanted) {
    bool progressed = false;
    for (int offset = 0;;) {
      cloud::ListServersQuery q;
      q.offset = offset;
      q.limit = kPageSize;
      ++calls;
      const cloud::ServerPage page = co_await client.list_servers(q);
      for (const cloud::Server& s : page.servers)
        if (wanted.erase(s.server_id) || read.count(s.server_id)) progressed = record(s) || progressed;
      offset += static_cast<int>(page.servers.size());
      if (wanted.empty()) co_return progressed;
      if (static_cast<int>(page.servers.size()) < kPageSize || offset >= page.count) break;
    }
    unlisted.insert(wanted.begin(), wanted.end());
    co_return progressed;
  }

  // 3.2 for a server the list did not show: a 404 is the only proof it is gone.
  asio::awaitable<bool> read_alone(const std::string& id) {
    cloud::Server s;
    try {
      ++calls;
      s = co_await client.show_server(id);
    } catch (const cloud::CloudError& e) {
      if (e.http_status != 404) throw;
      s.server_id = id;
      s.status = kServerGone;
    }
    co_return record(s);
  }

  asio::awaitable<bool> round() {
    ++rounds;
    std::set<std::string> wanted, alone;
    for (const auto& w : waiting)
      for (const std::string& id : w->ids)
        if (!settled(id)) (unlisted.count(id) ? alone : wanted).insert(id);
    bool progressed = false;
    if (!wanted.empty()) progressed = co_await read_list(wanted);
    for (const std::string& id : unlisted)
      if (!settled(id)) alone.insert(id);  // with those this round's listing did not show
    for (const std::string& id : alone) progressed = co_await read_alone(id) || progressed;
    wake_where([&](Waiter& w) {
      if (!std::all_of(w.ids.begin(), w.ids.end(), [&](const std::string& id) { return settled(id); })) return false;
      std::vector<cloud::Server> servers;
      for (const std::string& id : w.ids) servers.push_back(read.at(id));
      wake(w, std::move(servers), nullptr);
      return true;
    });
    co_return progressed;
  }

  void expire() {
    const auto now = Clock::now();
    wake_where([&](Waiter& w) {
      if (now < w.deadline) return false;
      wake(w, {},
           std::make_exception_ptr(std::runtime_error(
               "timed out waiting for the servers of " + w.subject +
               " to leave creation (status 0, 1, 3 or 4); run apply again to keep waiting")));
      return true;
    });
  }

  // Sleeps until wake_at (moved earlier by a new wait); false once stopped.
  asio::awaitable<bool> sleep_until_round() {
    sleep->expires_at(wake_at);
    if (poll.stop) poll.stop->add(&*sleep);  // woken by Ctrl-C
    for (;;) {
      co_await sleep->async_wait(kTuple);
      if (stopped || interrupted() || Clock::now() >= wake_at) break;
      sleep->expires_at(wake_at);
    }
    if (poll.stop) poll.stop->remove(&*sleep);
    co_return !stopped && !interrupted();
  }

  asio::awaitable<void> run() {
    sleep.emplace(co_await asio::this_coro::executor);
    auto interval = poll.initial;
    bool first = true;  // the first round at once: the first order just completed
    while (!waiting.empty() && !stopped) {
      if (new_waiter) interval = poll.initial;
      wake_at = first ? Clock::now() : Clock::now() + (new_waiter ? std::min(interval, kJoinDelay) : interval);
      new_waiter = false;
      first = false;
      if (!co_await sleep_until_round()) break;
      bool progressed = false;
      try {
        progressed = co_await round();
      } catch (...) {
        fail_all(std::current_exception());  // the waits decide; their ids are journaled
      }
      if (stopped || interrupted()) break;
      expire();
      // polling.h's rule, for the newest wait: seen at most ~10% late.
      interval = next_poll_interval(interval, poll, progressed, Clock::now() - newest);
    }
    if (!stopped && interrupted()) stop(std::make_exception_ptr(Interrupted()));
  }

  static asio::awaitable<void> loop(std::shared_ptr<State> self) {
    try {
      co_await self->run();
    } catch (...) {
      // A fault of the loop itself: no wait may hang on a dead loop.
      self->fail_all(std::current_exception());
    }
    self->running = false;
  }

  void start(const asio::any_io_executor& ex) {
    new_waiter = true;
    if (!running) {
      running = true;
      asio::co_spawn(ex, loop(self.lock()), asio::detached);
      return;
    }
    // A sleeping loop reads the new wait's servers soon.
    const auto soon = Clock::now() + std::min(poll.initial, kJoinDelay);
    if (sleep && wake_at > soon) {
      wake_at = soon;
      sleep->expires_at(wake_at);
    }
  }
};

ServerWatcher::ServerWatcher(cloud::CphClient& client, PollPolicy poll)
    : state_(std::make_shared<State>(client, poll)) {
  state_->self = state_;
}

ServerWatcher::~ServerWatcher() {
  state_->stop(std::make_exception_ptr(std::runtime_error("the server watcher was stopped")));
}

int64_t ServerWatcher::rounds() const { return state_->rounds; }
int64_t ServerWatcher::calls() const { return state_->calls; }

asio::awaitable<std::vector<cloud::Server>> ServerWatcher::wait(std::vector<std::string> server_ids,
                                                                 std::string subject, Clock::time_point deadline) {
  if (server_ids.empty()) co_return std::vector<cloud::Server>{};
  if (state_->interrupted()) throw Interrupted();
  if (state_->stopped) std::rethrow_exception(state_->stop_error);
  auto ex = co_await asio::this_coro::executor;
  auto w = std::make_shared<Waiter>(ex);
  w->ids = std::move(server_ids);
  w->subject = std::move(subject);
  w->deadline = deadline;
  state_->waiting.push_back(w);
  state_->newest = Clock::now();
  state_->start(ex);
  while (!w->done) co_await w->signal.async_wait(kTuple);
  if (w->error) std::rethrow_exception(w->error);
  co_return std::move(w->servers);
}

}  // namespace cph::resources
