// BSS order calls (Huawei BSS, reduced; docs/emulator.md "BSS"): order
// details, pay, unsubscribe. Sent to the BSS endpoint, without X-Project-Id.
// Methods, paths and field names checked against Huawei's BSS API reference
// ("Customer Operation Capabilities" / "Partner Center" API, section
// "Managing Yearly/Monthly Orders"); the page of each call is named at it.
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

// ShowCustomerOrderDetails:
// https://support.huaweicloud.com/intl/en-us/api-oce/api_order_00014.html
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

// PayOrders, POST /v3/orders/customer-orders/pay:
// https://support.huaweicloud.com/intl/en-us/api-oce/api_order_00030.html
// (the /v2 path of the old API is offline). use_coupon and use_discount are
// required; "NO" pays at the order's price, which is what the plan showed.
asio::awaitable<void> CphClient::pay_order(std::string order_id) {
  ordered_json body;
  body["order_id"] = order_id;
  body["use_coupon"] = "NO";
  body["use_discount"] = "NO";
  Call c{Service::bss, "POST",      "POST /v3/orders/customer-orders/pay", "/v3/orders/customer-orders/pay",
         {},           std::nullopt};
  c.body = to_body(body, c.api);
  co_await impl_->call(c);
}

// CancelResourcesSubscription:
// https://support.huaweicloud.com/intl/en-us/api-oce/api_order_00019.html
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
