// BSS order endpoints. Not in cph-api.md: this is the contract the emulator
// and the client share, from Huawei's public BSS API, reduced
// (docs/emulator.md "BSS"). Errors are {"error_code", "error_msg"} with
// CBC.0100 (invalid parameter / order not payable) and CBC.0101 (no such
// order or resource).
#include "emulator/api.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

HttpResponse invalid(const std::string& message) { return plain_error(400, "CBC.0100", message); }
HttpResponse not_found(const std::string& message) { return plain_error(400, "CBC.0101", message); }

std::string status_name(int status) {
  switch (status) {
    case order_status::pending_approval: return "pending approval";
    case order_status::processing: return "processing";
    case order_status::cancelled: return "cancelled";
    case order_status::completed: return "completed";
    case order_status::pending_payment: return "pending payment";
    case order_status::to_be_confirmed: return "to be confirmed";
  }
  return "unknown";
}

// A member of the body; JSON null counts as absent, as in the CPH validators.
const json* member(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::optional<int64_t> as_int(const json* j) {
  if (!j || !j->is_number_integer()) return std::nullopt;
  return j->get<int64_t>();
}

// GET /v2/orders/customer-orders/details/{order_id} (ShowCustomerOrderDetails;
// https://support.huaweicloud.com/intl/en-us/api-bpconsole/api_order_00014.html)
HttpResponse order_details(const ApiCall& c) {
  const Order* o = c.world.find_order(c.caller.project_id, c.match.param("order_id"));
  if (!o) return not_found("The order does not exist.");
  ojson lines = ojson::array();
  for (const OrderLine& l : o->lines)
    lines.push_back(ojson{{"order_line_item_id", l.id},
                          {"service_type_code", l.service_type_code},
                          {"product_id", l.product_id},
                          {"period_type", l.period_type},
                          {"period_num", l.period_num},
                          {"subscription_num", l.subscription_num}});
  ojson info{{"order_id", o->id},
             {"customer_id", o->customer_id},
             {"service_type_code", "hws.service.type.cph"},
             {"source_type", 1},
             {"status", o->status},
             {"order_type", o->order_type},
             {"amount_after_discount", o->amount_after_discount},
             {"official_amount", o->official_amount},
             {"measure_id", 1},
             {"create_time", api_time(o->create_us)},
             {"payment_time", o->payment_us ? ojson(api_time(*o->payment_us)) : ojson(nullptr)},
             {"currency", "CNY"}};
  return json_response(200, ojson{{"total_count", lines.size()},
                                  {"order_info", std::move(info)},
                                  {"order_line_items", std::move(lines)}});
}

// The coupon_infos / discount_infos member named by use_coupon /
// use_discount: "YES" requires a non-empty array of {"id": string, "type":
// integer}; "NO" ignores the member, as the real service does. The emulator
// holds no coupons or discounts, so a well-formed one is still refused as
// not applicable to the order (CBC.0100).
std::optional<HttpResponse> check_benefits(const json& body, const char* flag, const char* infos_name,
                                           const char* what) {
  const json* use = member(body, flag);
  if (!use || !use->is_string() || (*use != "YES" && *use != "NO"))
    return invalid(std::string(flag) + " is required and must be \"YES\" or \"NO\".");
  if (*use == "NO") return std::nullopt;
  const json* infos = member(body, infos_name);
  if (!infos || !infos->is_array() || infos->empty())
    return invalid(std::string(infos_name) + " is required when " + flag + " is \"YES\".");
  for (const json& info : *infos) {
    const json* id = info.is_object() ? member(info, "id") : nullptr;
    if (!id || !id->is_string() || !as_int(member(info, "type")))
      return invalid(std::string(infos_name) + " entries need a string id and an integer type.");
  }
  return invalid("The " + std::string(what) + " " + (*infos)[0]["id"].get<std::string>() +
                 " is not applicable to this order.");
}

// POST /v3/orders/customer-orders/pay (PayOrders; Huawei BSS API reference,
// https://support.huaweicloud.com/intl/en-us/api-bpconsole/api_order_00030.html).
// The old /v2 path is not served: the real BSS has taken it offline.
HttpResponse pay_order(const ApiCall& c) {
  const json body = body_object(c.request);
  const json* id = member(body, "order_id");
  if (!id || !id->is_string() || id->get_ref<const std::string&>().empty())
    return invalid("order_id is required and must be a non-empty string.");
  if (auto bad = check_benefits(body, "use_coupon", "coupon_infos", "coupon")) return *bad;
  if (auto bad = check_benefits(body, "use_discount", "discount_infos", "discount")) return *bad;
  const std::string order_id = id->get<std::string>();
  switch (c.world.pay(c.caller.project_id, order_id)) {
    case World::PayResult::ok: {
      HttpResponse r;
      r.status = 204;
      return r;
    }
    case World::PayResult::not_found:
      return not_found("The order does not exist.");
    case World::PayResult::not_pending_payment: {
      const Order* o = c.world.find_order(c.caller.project_id, order_id);
      int status = o ? o->status : 0;
      return invalid("The order " + order_id + " cannot be paid: its status is " + std::to_string(status) + " (" +
                     status_name(status) + "); only orders pending payment (6) can be paid.");
    }
  }
  return invalid("unreachable");
}

// POST /v2/orders/subscriptions/resources/unsubscribe (CancelResourcesSubscription;
// https://support.huaweicloud.com/intl/en-us/api-bpconsole/api_order_00019.html)
HttpResponse unsubscribe(const ApiCall& c) {
  const json body = body_object(c.request);
  const json* ids = member(body, "resource_ids");
  if (!ids || !ids->is_array() || ids->empty())
    return invalid("resource_ids is required and must be a non-empty array of resource ids.");
  std::vector<std::string> resource_ids;
  for (size_t i = 0; i < ids->size(); ++i) {
    const json& id = (*ids)[i];
    if (!id.is_string() || id.get_ref<const std::string&>().empty())
      return invalid("resource_ids must contain non-empty strings.");
    resource_ids.push_back(id.get<std::string>());
  }
  // 1 = unsubscribe the resources and the resources bound to them; the other
  // BSS types (renewal periods) are not emulated.
  std::optional<int64_t> type = as_int(member(body, "unsubscribe_type"));
  if (!type || *type != 1) return invalid("unsubscribe_type is required and must be 1.");
  const json* reason_type = member(body, "unsubscribe_reason_type");
  if (reason_type && !as_int(reason_type)) return invalid("unsubscribe_reason_type must be an integer.");
  const json* reason = member(body, "unsubscribe_reason");
  if (reason && !reason->is_string()) return invalid("unsubscribe_reason must be a string.");

  World::UnsubscribeResult r = c.world.unsubscribe(c.caller.project_id, resource_ids);
  if (!r.order_id) {
    return not_found(r.already_unsubscribed ? "The resource " + r.rejected_id + " has already been unsubscribed."
                                            : "The resource " + r.rejected_id + " does not exist.");
  }
  return json_response(200, ojson{{"order_ids", ojson::array({*r.order_id})}});
}
}  // namespace

std::vector<RouteDef> bss_routes() {
  return {
      {"GET", "/v2/orders/customer-orders/details/{order_id}", order_details},
      {"POST", "/v3/orders/customer-orders/pay", pay_order},
      {"POST", "/v2/orders/subscriptions/resources/unsubscribe", unsubscribe},
  };
}

}  // namespace cph::emulator
