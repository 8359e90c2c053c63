// Many calls of one run at once: the client's call slots keep at most
// -parallelism of one API on the wire, and waits on the job poller share
// its rounds (a round asks for 20 requests), which they would not if
// awaited one after the other.
#pragma once

#include <exception>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cph::resources {

// Runs every awaitable at once; the results in the order given. The first
// failure (in that order) is rethrown once every one has ended.
template <class T>
boost::asio::awaitable<std::vector<T>> all_at_once(std::vector<boost::asio::awaitable<T>> work) {
  namespace asio = boost::asio;
  std::vector<T> out;
  if (work.empty()) co_return out;
  if (work.size() == 1) {
    T one = co_await std::move(work.front());
    out.push_back(std::move(one));
    co_return out;
  }
  auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, std::move(work.front()), asio::deferred));
  std::vector<Op> ops;
  for (asio::awaitable<T>& w : work) ops.push_back(asio::co_spawn(executor, std::move(w), asio::deferred));
  auto [order, errors, results] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                      .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  (void)order;
  for (std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  co_return std::move(results);
}

}  // namespace cph::resources
