// At most N requests of one API in flight (`-parallelism=N`, issue 5): the
// per-endpoint bucket of the client. A call holds a slot only while its
// request is on the wire; waiting between retries or between polls holds
// none, so a thousand servers waiting on their orders block nothing.
// Waiters get slots in arrival order. Used from one io_context thread, like
// the client that owns it.
#pragma once

#include <deque>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace cph::cloud {

// Slots per API when -parallelism is not given, as Terraform's -parallelism.
inline constexpr int kDefaultParallelism = 10;

class CallSlots {
 public:
  explicit CallSlots(int limit) : limit_(limit) {}
  // Suspends until a slot is free, then holds it until release().
  boost::asio::awaitable<void> acquire();
  // Hands the slot to the longest waiter, or frees it.
  void release();
  int in_use() const { return in_use_; }

 private:
  struct Waiter;
  int limit_;
  int in_use_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiting_;
};

}  // namespace cph::cloud
