// The shared job polling loop of job_poller.h.
#include "resources/cph/job_poller.h"
#include "resources/cph/job_list.h"
#include "resources/polling.h"

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

namespace cph::cloud {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// One suspended wait(): woken by cancelling its timer.
struct Waiter {
  explicit Waiter(asio::any_io_executor ex) : signal(ex, Clock::time_point::max()) {}
  asio::steady_timer signal;
  std::vector<Job> jobs;
  std::exception_ptr error;
  bool done = false;
};

struct OpenRequest {
  std::optional<std::vector<std::string>> job_ids;  // unset until known
  // Unknown ids, and no job listed for it among known requests' jobs: it is
  // listed alone next, where the service says whether it has jobs at all.
  bool alone = false;
  std::vector<std::shared_ptr<Waiter>> waiters;
};

void wake(Waiter& w, std::vector<Job> jobs, std::exception_ptr error) {
  w.jobs = std::move(jobs);
  w.error = std::move(error);
  w.done = true;
  w.signal.cancel();
}

}  // namespace

struct JobPoller::State {
  State(CphClient& c, JobPollOptions o) : client(c), options(o) {}
  CphClient& client;
  JobPollOptions options;
  std::map<std::string, OpenRequest> open;  // by request id
  std::map<std::string, int> last_status;   // by job id, of open requests: to see progress
  bool running = false;
  bool stopped = false;
  std::exception_ptr stop_error;  // what waits get once stopped
  bool new_request = false;  // a request arrived since the last round: restart at `initial`
  std::optional<asio::steady_timer> sleep;
  Clock::time_point deadline;
  int64_t rounds = 0;
  int64_t calls = 0;

  void finish(const std::string& request_id, std::vector<Job> jobs, std::exception_ptr error) {
    auto it = open.find(request_id);
    if (it == open.end()) return;
    if (it->second.job_ids)
      for (const std::string& id : *it->second.job_ids) last_status.erase(id);
    for (auto& w : it->second.waiters) wake(*w, jobs, error);
    open.erase(it);
  }

  // Requests to list together: at most 20 per call, and at most one whose
  // job ids are unknown, so that every listed job can be attributed.
  std::vector<std::vector<std::string>> chunks() const {
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> known;
    std::vector<std::vector<std::string>> alone;
    for (const auto& [id, r] : open) {
      if (r.job_ids)
        known.push_back(id);
      else if (r.alone)
        alone.push_back({id});
      else
        out.push_back({id});
    }
    size_t next = 0;
    for (auto& chunk : out)
      while (chunk.size() < kMaxRequestIdsPerJobQuery && next < known.size()) chunk.push_back(known[next++]);
    while (next < known.size()) {
      std::vector<std::string> chunk;
      while (chunk.size() < kMaxRequestIdsPerJobQuery && next < known.size()) chunk.push_back(known[next++]);
      out.push_back(std::move(chunk));
    }
    for (auto& chunk : alone) out.push_back(std::move(chunk));
    return out;
  }

  // Attributes the listed jobs of one chunk to its requests and wakes the
  // finished ones. Returns whether any job changed status.
  bool settle(const std::vector<std::string>& chunk, const std::vector<Job>& listed) {
    bool progressed = false;
    std::map<std::string, std::string> owner;  // job id -> request id
    std::string unknown;                       // the chunk's request without known job ids
    for (const std::string& id : chunk) {
      auto it = open.find(id);
      if (it == open.end()) continue;
      if (!it->second.job_ids) {
        unknown = id;
        continue;
      }
      for (const std::string& job : *it->second.job_ids) owner[job] = id;
    }
    std::map<std::string, std::map<std::string, Job>> by_request;
    std::vector<Job> learned;  // the unknown request's jobs, in listing order
    for (const Job& j : listed) {
      auto o = owner.find(j.job_id);
      if (o != owner.end()) {
        by_request[o->second][j.job_id] = j;
      } else if (!unknown.empty()) {
        learned.push_back(j);
      } else {
        continue;  // a job of a request that finished meanwhile
      }
      auto [it, inserted] = last_status.try_emplace(j.job_id, j.status);
      if (inserted || it->second != j.status) progressed = true;
      it->second = j.status;
    }
    if (!unknown.empty() && learned.empty()) open[unknown].alone = true;
    if (!unknown.empty() && !learned.empty()) {
      std::vector<std::string> ids;
      for (const Job& j : learned) {
        ids.push_back(j.job_id);
        by_request[unknown][j.job_id] = j;
      }
      open[unknown].job_ids = std::move(ids);
    }
    for (const std::string& id : chunk) {
      auto it = open.find(id);
      if (it == open.end() || !it->second.job_ids) continue;
      const auto& seen = by_request[id];
      std::vector<Job> jobs;
      for (const std::string& job : *it->second.job_ids) {
        auto j = seen.find(job);
        if (j == seen.end() || !j->second.finished()) break;  // not listed (yet) or still running
        jobs.push_back(j->second);
      }
      if (jobs.size() == it->second.job_ids->size()) finish(id, std::move(jobs), nullptr);
    }
    return progressed;
  }

  asio::awaitable<bool> round() {
    ++rounds;
    bool progressed = false;
    for (const std::vector<std::string>& chunk : chunks()) {
      std::vector<Job> listed;
      std::exception_ptr error;
      try {
        // Paged here rather than by list_all_jobs, to count every call.
        listed = co_await detail::read_all_pages<Job>(
            detail::job_list(),
            [this, &chunk](int offset) -> asio::awaitable<detail::Page<Job>> {
              ++calls;
              // Not in the braces below: see cph_bandwidths.cc.
              std::vector<Job> items = co_await client.list_jobs(chunk, offset, detail::kJobPageSize);
              co_return detail::Page<Job>{std::move(items), 0};
            },
            detail::job_key);
      } catch (...) {
        error = std::current_exception();
      }
      if (stopped) co_return false;
      if (error) {
        // The client already retried the read; the waiters decide (their
        // request ids are in the journal, so a later run can resume).
        for (const std::string& id : chunk) finish(id, {}, error);
        progressed = true;
        continue;
      }
      progressed = settle(chunk, listed) || progressed;
    }
    co_return progressed;
  }

  static asio::awaitable<void> loop(std::shared_ptr<State> self) {
    try {
      co_await poll(self);
    } catch (...) {
      // Not a failed list call (round() hands those to the waiters) but a
      // fault of the loop itself: no waiter may hang on a dead loop.
      const auto error = std::current_exception();
      while (!self->open.empty()) self->finish(self->open.begin()->first, {}, error);
    }
    self->running = false;
  }

  static asio::awaitable<void> poll(std::shared_ptr<State> self) {
    auto ex = co_await asio::this_coro::executor;
    self->sleep.emplace(ex);
    auto interval = self->options.initial;
    while (!self->open.empty() && !self->stopped) {
      if (self->new_request) interval = self->options.initial;
      self->new_request = false;
      self->deadline = Clock::now() + interval;
      self->sleep->expires_at(self->deadline);
      for (;;) {
        co_await self->sleep->async_wait(kTuple);
        if (self->stopped) co_return;
        if (Clock::now() >= self->deadline) break;
        self->sleep->expires_at(self->deadline);  // moved earlier by a new request
      }
      const bool progressed = co_await self->round();
      if (self->stopped) co_return;
      interval = resources::next_poll_interval(interval, self->options, progressed);
    }
  }

  void start(const asio::any_io_executor& ex) {
    new_request = true;
    if (!running) {
      running = true;
      asio::co_spawn(ex, loop(shared_from_this_()), asio::detached);
      return;
    }
    // A sleeping loop polls the new request no later than `initial` from now.
    const auto soon = Clock::now() + options.initial;
    if (sleep && deadline > soon) {
      deadline = soon;
      sleep->expires_at(deadline);
    }
  }

  std::weak_ptr<State> self_;
  std::shared_ptr<State> shared_from_this_() { return self_.lock(); }
};

JobPoller::JobPoller(CphClient& client, JobPollOptions options)
    : state_(std::make_shared<State>(client, options)) {
  state_->self_ = state_;
}

JobPoller::~JobPoller() { stop(std::make_exception_ptr(std::runtime_error("the job poller was stopped"))); }

void JobPoller::stop(std::exception_ptr error) {
  state_->stopped = true;
  state_->stop_error = error;
  if (state_->sleep) state_->sleep->cancel();
  while (!state_->open.empty()) state_->finish(state_->open.begin()->first, {}, error);
}

int64_t JobPoller::rounds() const { return state_->rounds; }
int64_t JobPoller::calls() const { return state_->calls; }

namespace {
asio::awaitable<std::vector<Job>> await_waiter(std::shared_ptr<Waiter> w) {
  while (!w->done) co_await w->signal.async_wait(kTuple);
  if (w->error) std::rethrow_exception(w->error);
  co_return std::move(w->jobs);
}
}  // namespace

asio::awaitable<std::vector<Job>> JobPoller::wait(std::string request_id, std::vector<std::string> job_ids) {
  if (job_ids.empty()) co_return std::vector<Job>{};
  if (state_->stopped) std::rethrow_exception(state_->stop_error);
  auto ex = co_await asio::this_coro::executor;
  auto w = std::make_shared<Waiter>(ex);
  OpenRequest& r = state_->open[request_id];
  r.job_ids = std::move(job_ids);  // known ids win over a waiter that did not know them
  r.waiters.push_back(w);
  state_->start(ex);
  co_return co_await await_waiter(w);
}

asio::awaitable<std::vector<Job>> JobPoller::wait(std::string request_id) {
  if (state_->stopped) std::rethrow_exception(state_->stop_error);
  auto ex = co_await asio::this_coro::executor;
  auto w = std::make_shared<Waiter>(ex);
  state_->open[request_id].waiters.push_back(w);
  state_->start(ex);
  co_return co_await await_waiter(w);
}

}  // namespace cph::cloud
