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
  const json j = parse_body(r, c);
  const json& info = member(j, "order_info");
  // Without order_info there is no status to act on; a zero would read as a
  // real (unknown) status, so this is an error rather than a default.
  if (!info.is_object())
    throw CloudError(r.status, "", "order details response has no order_info", r.header("X-Request-Id"), c.api, r.body);
  Order o;
  o.order_id = str(info, "order_id");
  o.status = num(info, "status");
  o.order_type = num(info, "order_type");
  o.create_time = str(info, "create_time");
  o.payment_time = str(info, "payment_time");
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
  result.order_ids = strings(parse_body(r, c), "order_ids");
  co_return result;
}

}  // namespace cph::cloud
