// Calls over many instances, 32 ids a call (cph-api.md 14.1, A-35), all
// started at once: the client's call slots keep at most -parallelism of one
// API on the wire. One helper for status queries and fleet commands.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cph::koophone {

// 14.1: instance_ids holds at most 32 ids.
inline constexpr size_t kMaxIdsPerCall = 32;

// Splits ids into calls of at most kMaxIdsPerCall, in order.
std::vector<std::vector<std::string>> batches_of(const std::vector<std::string>& ids);

// f(batch) for every batch at once; the results in batch order. The first
// failure (in batch order) is rethrown once every call has ended.
template <class T>
boost::asio::awaitable<std::vector<T>> for_each_batch(std::vector<std::vector<std::string>> batches,
                                                      std::function<boost::asio::awaitable<T>(std::vector<std::string>)> f) {
  namespace asio = boost::asio;
  std::vector<T> out;
  if (batches.empty()) co_return out;
  if (batches.size() == 1) {  // no group to set up
    T one = co_await f(std::move(batches.front()));
    out.push_back(std::move(one));
    co_return out;
  }
  auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, f({}), asio::deferred));
  std::vector<Op> ops;
  for (std::vector<std::string>& b : batches) ops.push_back(asio::co_spawn(executor, f(std::move(b)), asio::deferred));
  auto [order, errors, results] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                      .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  (void)order;  // results come back in launch order whatever order they finished in
  for (std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  co_return std::move(results);
}

}  // namespace cph::koophone
