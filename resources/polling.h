// Waiting between polls (PollPolicy of operation.h), and the run's stop
// signal that ends such waits early. Provider-neutral: a provider's own
// waits (orders, jobs) sleep through poll_sleep.
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "resources/operation.h"

namespace cph::resources {

// A wait that was ended by StopSignal::request(). The operation it waited
// for is still journaled with every id it returned, so the next run resumes
// it; it is neither a failure nor a success.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted while waiting; the journal keeps it for the next apply") {}
};

// The first Ctrl-C of an apply (issue 5 "Signals"): once requested, every
// poll_sleep in progress or to come throws Interrupted, and the callbacks
// registered with on_request run (the job poller's stop). Used from the
// run's single-threaded io_context only.
class StopSignal {
 public:
  bool requested() const { return requested_; }
  void request();
  void on_request(std::function<void()> callback) { callbacks_.push_back(std::move(callback)); }
  void clear_callbacks() { callbacks_.clear(); }

  // For poll_sleep: the timers it is sleeping on, woken by request().
  void add(boost::asio::steady_timer* timer) { sleeping_.insert(timer); }
  void remove(boost::asio::steady_timer* timer) { sleeping_.erase(timer); }

 private:
  bool requested_ = false;
  std::set<boost::asio::steady_timer*> sleeping_;
  std::vector<std::function<void()>> callbacks_;
};

// Suspends the calling coroutine for `d` (a timer; no thread is held).
// Throws Interrupted when poll.stop is requested before or during the wait.
boost::asio::awaitable<void> poll_sleep(std::chrono::milliseconds d, const PollPolicy& poll);

// The engine's one backoff rule. The next interval: back to `initial` on
// progress, else grown by `factor` up to `max`. For one wait of known
// length (`waited`: an order), also never above a tenth of the time waited
// so far (at least `initial`): its end is seen at most ~10% late, however
// long it was, while a long wait still costs few calls. A poll that serves
// many waits of different ages at once (the job poller's rounds) has no
// such length and grows by the first rule alone.
std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll, bool progressed);
std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll,
                                             bool progressed, std::chrono::steady_clock::duration waited);

}  // namespace cph::resources
