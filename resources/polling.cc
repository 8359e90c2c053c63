#include "resources/polling.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cph::resources {

namespace asio = boost::asio;

void StopSignal::request() {
  if (requested_) return;
  requested_ = true;
  for (asio::steady_timer* t : sleeping_) t->cancel();
  for (auto& callback : callbacks_) callback();
}

asio::awaitable<void> poll_sleep(std::chrono::milliseconds d, const PollPolicy& poll) {
  if (poll.stop && poll.stop->requested()) throw Interrupted();
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  if (poll.stop) poll.stop->add(&timer);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled by request()
  if (poll.stop) poll.stop->remove(&timer);
  if (poll.stop && poll.stop->requested()) throw Interrupted();
}

std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll, bool progressed) {
  if (progressed) return poll.initial;
  auto grown = std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(current.count()) * poll.factor));
  return std::min(grown, poll.max);
}

std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll,
                                             bool progressed, std::chrono::steady_clock::duration waited) {
  const auto tenth = std::max(poll.initial, std::chrono::duration_cast<std::chrono::milliseconds>(waited / 10));
  return std::min(next_poll_interval(current, poll, progressed), progressed ? poll.initial : tenth);
}

}  // namespace cph::resources
