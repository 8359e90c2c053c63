#include "resources/cph/order_wait.h"

#include <stdexcept>

#include <boost/asio/use_awaitable.hpp>

namespace cph::resources {

namespace asio = boost::asio;

namespace {
std::string order_status_text(int status) {
  switch (static_cast<cloud::OrderStatus>(status)) {
    case cloud::OrderStatus::pending_approval: return "pending approval";
    case cloud::OrderStatus::processing: return "processing";
    case cloud::OrderStatus::cancelled: return "cancelled";
    case cloud::OrderStatus::completed: return "completed";
    case cloud::OrderStatus::pending_payment: return "pending payment";
    case cloud::OrderStatus::to_be_confirmed: return "to be confirmed";
  }
  return "status " + std::to_string(status);
}
}  // namespace

asio::awaitable<void> wait_order(cloud::CphClient& cloud, OperationJournal& journal, const std::string& address,
                                 const std::string& order_id, const std::string& subject,
                                 const std::string& if_cancelled, const PollPolicy& poll,
                                 std::function<asio::awaitable<bool>()> delivered) {
  const auto start = std::chrono::steady_clock::now();
  auto interval = poll.initial;
  int last_status = -1;
  for (;;) {
    const cloud::Order order = co_await cloud.show_order(order_id);
    if (order.status == static_cast<int>(cloud::OrderStatus::cancelled))
      throw OperationFailed(subject + " was cancelled; " + if_cancelled);
    bool progressed = order.status != last_status;
    if (order.status == static_cast<int>(cloud::OrderStatus::pending_payment)) {
      if (poll.payment != Payment::bss)
        throw std::runtime_error(subject +
                                 " is pending payment: pay it in the Billing Center, then run apply again to "
                                 "continue (the order is recorded in the journal), or let cphform pay it with "
                                 "pay_orders = \"bss\" in [provider]");
      // Paid once: a paid order leaves status 6, so a later round (or run)
      // never pays it again.
      const Json intent = {{"order_id", order_id}};
      const int64_t entry = journal.intent(address, "pay_order", intent.dump(), intent);
      co_await cloud.pay_order(order_id);
      journal.answered(entry, intent);
      progressed = true;
    }
    last_status = order.status;
    if (order.status == static_cast<int>(cloud::OrderStatus::completed) && co_await delivered()) co_return;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited > poll.timeout)
      throw std::runtime_error("timed out waiting for " + subject + " (" + order_status_text(order.status) +
                               "); run apply again to keep waiting");
    interval = next_poll_interval(interval, poll, progressed, waited);
    co_await poll_sleep(interval, poll);
  }
}

}  // namespace cph::resources
