// Waiting between polls of orders and servers (PollPolicy of operation.h),
// shared by the resource operations other than server.cc's purchase.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "resources/operation.h"

namespace cph::resources {

// Suspends the calling coroutine (a timer; no thread is held).
boost::asio::awaitable<void> poll_sleep(std::chrono::milliseconds d);

// The next interval: back to `initial` on progress, else grown by `factor`
// up to `max`.
std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds current, const PollPolicy& poll,
                                             bool progressed);

}  // namespace cph::resources
