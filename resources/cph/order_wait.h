// Waiting for a BSS order (cph-api.md 3.4 "order_id", BSS order details):
// the purchases and model changes of CPH place orders and then wait for them.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"
#include "resources/polling.h"

namespace cph::resources {

// Polls a BSS order (show_order) until it completed and then `delivered()`
// — asked only once the order says so, to spare the per-resource reads while
// it runs — returns true. `subject` names it in errors ("order CS1", "change-
// model order CS2 of server X"); a cancelled order fails with
// "<subject> was cancelled; <if_cancelled>"; an unpaid one (status 6) is
// paid through BSS with poll.payment == bss (journaled under `address`),
// otherwise the wait stops asking for payment; poll.timeout ends the wait
// (the journal keeps the order).
boost::asio::awaitable<void> wait_order(cloud::CphClient& cloud, OperationJournal& journal, const std::string& address,
                                        const std::string& order_id, const std::string& subject,
                                        const std::string& if_cancelled, const PollPolicy& poll,
                                        std::function<boost::asio::awaitable<bool>()> delivered);

}  // namespace cph::resources
