#include "cloud/call_slots.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cph::cloud {

namespace asio = boost::asio;

struct CallSlots::Waiter {
  explicit Waiter(asio::any_io_executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer wake;
  bool granted = false;
};

asio::awaitable<void> CallSlots::acquire() {
  if (in_use_ < limit_ && waiting_.empty()) {
    ++in_use_;
    co_return;
  }
  auto w = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiting_.push_back(w);
  while (!w->granted) co_await w->wake.async_wait(asio::as_tuple(asio::use_awaitable));
}

void CallSlots::release() {
  if (waiting_.empty()) {
    --in_use_;
    return;
  }
  // The slot passes to the first waiter without ever being free, so a new
  // caller cannot overtake the queue.
  auto w = std::move(waiting_.front());
  waiting_.pop_front();
  w->granted = true;
  w->wake.cancel();
}

}  // namespace cph::cloud
