#include "resources/polling.h"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cph::resources {

namespace asio = boost::asio;

asio::awaitable<void> poll_sleep(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll,
                                             bool progressed) {
  if (progressed) return poll.initial;
  auto grown = std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(current.count()) * poll.factor));
  return std::min(grown, poll.max);
}

}  // namespace cph::resources
