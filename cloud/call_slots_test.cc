// CallSlots, which bounds requests in flight (-parallelism): arrival order
// and the limit. Per API through a client: resources/cph/parallelism_test.cc.
#include "cloud/test_support.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cloud/call_slots.h"

using namespace cph::cloud::testing;

TEST_CASE("CallSlots hands slots over in arrival order and never exceeds its limit", "[cloud][parallelism]") {
  asio::io_context io;
  CallSlots slots(2);
  std::vector<int> order;
  int max_in_use = 0;
  for (int i = 0; i < 6; ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await slots.acquire();
          order.push_back(i);
          max_in_use = std::max(max_in_use, slots.in_use());
          asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
          co_await t.async_wait(asio::use_awaitable);
          slots.release();
        },
        asio::detached);
  io.run();
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(max_in_use == 2);
  CHECK(slots.in_use() == 0);
}
