// BSS order calls (Huawei BSS, reduced; docs/emulator.md "BSS"): order
// details, pay, unsubscribe. Sent to the BSS endpoint, without X-Project-Id.
#include "cloud/cph_call.h"

namespace cph::cloud {

using namespace detail;

asio::awaitable<Order> CphClient::show_order(std::string order_id) {
  Call c{Service::bss,
         "GET",
         "GET /v2/orders/customer-orders/details/{order_id}",
         "/v2/orders/customer-orders/details/" + encode(order_id),
         {},
         std::nullopt};
  const HttpResponse r = co_await impl_->call(c);
  // Without order_info and its status there is nothing to act on; a zero
  // would read as a real (unknown) status.
  const Answer info = Answer::of(r, c).object("order_info");
  Order o;
  o.order_id = info.opt_text("order_id");
  o.status = info.integer("status");
  o.order_type = info.opt_integer("order_type");
  o.create_time = info.opt_text("create_time");
  o.payment_time = info.opt_text("payment_time");
  co_return o;
}

asio::awaitable<void> CphClient::pay_order(std::string order_id) {
  ordered_json body;
  body["order_id"] = order_id;
  body["pay_account_type"] = 1;
  Call c{Service::bss, "POST",      "POST /v2/orders/customer-orders/pay", "/v2/orders/customer-orders/pay",
         {},           std::nullopt};
  c.body = to_body(body, c.api);
  co_await impl_->call(c);
}

asio::awaitable<UnsubscribeResult> CphClient::unsubscribe(std::vector<std::string> resource_ids) {
  ordered_json body;
  body["resource_ids"] = resource_ids;
  body["unsubscribe_type"] = 1;
  Call c{Service::bss,
         "POST",
         "POST /v2/orders/subscriptions/resources/unsubscribe",
         "/v2/orders/subscriptions/resources/unsubscribe",
         {},
         std::nullopt};
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  UnsubscribeResult result;
  result.order_ids = Answer::of(r, c).ids("order_ids");
  co_return result;
}

}  // namespace cph::cloud
