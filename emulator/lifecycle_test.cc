// The time model and the BSS orders: statuses progress with the simulated
// clock, is_auto_pay 0 waits for payment, unsubscribe releases after the
// release duration (docs/emulator.md "Time model", "BSS").
#include <regex>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
int status_of(Emulator& emu, const json& id) { return emu.server(id.get<std::string>())["status"]; }
int order_status_of(Emulator& emu, const json& id) {
  return emu.order(id.get<std::string>())["order_info"]["status"];
}
int64_t epoch(const json& iso) { return *cph::parse_iso8601_utc(iso.get<std::string>()); }
}  // namespace

TEST_CASE("SimClock: persisted start + wall elapsed x scale + advances", "[time]") {
  int64_t wall = 1000;
  SimClock clock(5'000'000, 60.0, [&] { return wall; });
  CHECK(clock.now_us() == 5'000'000);
  wall += 1'000'000;  // one wall second
  CHECK(clock.now_us() == 65'000'000);
  clock.advance(10'000'000);
  CHECK(clock.now_us() == 75'000'000);
  SimClock frozen(7, 0.0, [&] { return wall; });
  wall += 5'000'000;
  CHECK(frozen.now_us() == 7);
}

TEST_CASE("auto-paid purchase: servers walk 0 -> 1 -> 3 -> 4 -> 5 over the creation time", "[time][bss]") {
  Emulator emu;  // default durations: 300 s creation
  json b = emu.buy(rx1_purchase(2, true));
  const json& id = b["server_ids"][0];
  json s = emu.server(id);
  CHECK(s["status"] == 0);
  const int64_t created = epoch(s["create_time"]);
  json o = emu.order(b["order_id"]);
  CHECK(o["order_info"]["status"] == 3);  // processing at once
  CHECK(o["order_info"]["payment_time"].is_string());

  emu.advance(74);
  CHECK(status_of(emu, id) == 0);
  emu.advance(1);
  CHECK(status_of(emu, id) == 1);
  emu.advance(75);
  CHECK(status_of(emu, id) == 3);
  emu.advance(75);
  CHECK(status_of(emu, id) == 4);
  CHECK(order_status_of(emu, b["order_id"]) == 3);
  emu.advance(75);
  s = emu.server(id);
  CHECK(s["status"] == 5);
  CHECK(status_of(emu, b["server_ids"][1]) == 5);
  // The transition is stamped with its own due time.
  CHECK(epoch(s["update_time"]) == created + 300);
  CHECK(order_status_of(emu, b["order_id"]) == 5);
}

TEST_CASE("a jump over several transitions applies them all, in order", "[time]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, true));
  emu.advance(10000);
  json s = emu.server(b["server_ids"][0]);
  CHECK(s["status"] == 5);
  CHECK(epoch(s["update_time"]) == epoch(s["create_time"]) + 300);
  CHECK(order_status_of(emu, b["order_id"]) == 5);
}

TEST_CASE("is_auto_pay 0 (the default) waits for payment", "[time][bss]") {
  Emulator emu;
  json body = rx1_purchase(1, false);
  body["extend_param"].erase("is_auto_pay");  // the default is "no"
  json b = emu.buy(body);
  const json& id = b["server_ids"][0];
  json o = emu.order(b["order_id"]);
  CHECK(o["order_info"]["status"] == 6);
  CHECK(o["order_info"]["payment_time"].is_null());

  emu.advance(3600);
  CHECK(status_of(emu, id) == 0);
  CHECK(order_status_of(emu, b["order_id"]) == 6);

  HttpResponse paid = emu.pay(b["order_id"]);
  CHECK(paid.status == 204);
  CHECK(paid.body.empty());
  o = emu.order(b["order_id"]);
  CHECK(o["order_info"]["status"] == 3);
  REQUIRE(o["order_info"]["payment_time"].is_string());
  const int64_t paid_at = epoch(o["order_info"]["payment_time"]);
  CHECK(paid_at == epoch(o["order_info"]["create_time"]) + 3600);

  emu.advance(299);
  CHECK(status_of(emu, id) == 4);
  emu.advance(1);
  json s = emu.server(id);
  CHECK(s["status"] == 5);
  CHECK(epoch(s["update_time"]) == paid_at + 300);
  CHECK(order_status_of(emu, b["order_id"]) == 5);

  // A paid order cannot be paid again.
  HttpResponse again = emu.pay(b["order_id"]);
  CHECK(again.status == 400);
  json e = body_of(again);
  CHECK(e["error_code"] == "CBC.0100");
  CHECK(e["error_msg"].get<std::string>().find("status is 5") != std::string::npos);
}

TEST_CASE("BSS order details carry the documented fields", "[bss]") {
  Emulator emu;
  json body = rx1_purchase(3, false);
  body["extend_param"]["period_type"] = 3;
  body["extend_param"]["period_num"] = 2;
  json b = emu.buy(body);
  HttpResponse r = emu.get("/v2/orders/customer-orders/details/" + b["order_id"].get<std::string>());
  REQUIRE(r.status == 200);
  json o = body_of(r);
  check_fields(o, {{"total_count", Kind::integer}, {"order_info", Kind::object}, {"order_line_items", Kind::array}});
  check_fields(o["order_info"], {{"order_id", Kind::string},
                                 {"customer_id", Kind::string},
                                 {"service_type_code", Kind::string},
                                 {"source_type", Kind::integer},
                                 {"status", Kind::integer},
                                 {"order_type", Kind::integer},
                                 {"amount_after_discount", Kind::number},
                                 {"official_amount", Kind::number},
                                 {"measure_id", Kind::integer},
                                 {"create_time", Kind::string},
                                 {"payment_time", Kind::string_or_null},
                                 {"currency", Kind::string}});
  const json& info = o["order_info"];
  CHECK(info["order_id"] == b["order_id"]);
  CHECK(info["service_type_code"] == "hws.service.type.cph");
  CHECK(info["source_type"] == 1);
  CHECK(info["order_type"] == 1);
  CHECK(info["measure_id"] == 1);
  CHECK(info["currency"] == "CNY");
  CHECK(info["official_amount"].get<double>() > 0);
  CHECK(info["amount_after_discount"].get<double>() <= info["official_amount"].get<double>());
  CHECK(std::regex_match(info["create_time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(o["total_count"] == o["order_line_items"].size());
  REQUIRE(o["order_line_items"].size() == 1);
  const json& line = o["order_line_items"][0];
  check_fields(line, {{"order_line_item_id", Kind::string},
                      {"service_type_code", Kind::string},
                      {"product_id", Kind::string},
                      {"period_type", Kind::integer},
                      {"period_num", Kind::integer},
                      {"subscription_num", Kind::integer}});
  CHECK(line["product_id"] == b["product_id"]);
  CHECK(line["period_type"] == 3);
  CHECK(line["period_num"] == 2);
  CHECK(line["subscription_num"] == 3);

  HttpResponse missing = emu.get("/v2/orders/customer-orders/details/CS0000000000NOPE0");
  CHECK(missing.status == 400);
  json e = body_of(missing);
  CHECK(e["error_code"] == "CBC.0101");
  CHECK(e["error_msg"] == "The order does not exist.");
}

TEST_CASE("BSS pay validation", "[bss]") {
  Emulator emu;
  const std::string path = "/v3/orders/customer-orders/pay";
  json b = emu.buy(rx1_purchase(1, false));
  const json order = b["order_id"];
  auto pay = [&](json body) {
    body["order_id"] = order;
    return body;
  };
  auto code = [&](const std::string& body) {
    HttpResponse r = emu.call("POST", path, body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    return body_of(r)["error_code"].get<std::string>();
  };
  const json no{{"use_coupon", "NO"}, {"use_discount", "NO"}};
  CHECK(code("{}") == "CBC.0100");
  CHECK(code("not json") == "CBC.0100");
  CHECK(code(R"({"order_id": 5, "use_coupon": "NO", "use_discount": "NO"})") == "CBC.0100");
  CHECK(code(pay(json::object()).dump()) == "CBC.0100");  // use_coupon and use_discount are required
  CHECK(code(pay({{"use_coupon", "no"}, {"use_discount", "NO"}}).dump()) == "CBC.0100");
  CHECK(code(pay({{"use_coupon", "NO"}, {"use_discount", true}}).dump()) == "CBC.0100");
  CHECK(code(pay({{"use_coupon", "YES"}, {"use_discount", "NO"}}).dump()) == "CBC.0100");
  CHECK(code(pay({{"use_coupon", "YES"}, {"use_discount", "NO"}, {"coupon_infos", json::array({{{"id", 1}}})}})
                 .dump()) == "CBC.0100");
  // A well-formed coupon or discount the emulator does not hold is refused, naming it.
  HttpResponse coupon = emu.call(
      "POST", path,
      pay({{"use_coupon", "NO"}, {"use_discount", "YES"}, {"discount_infos", json::array({{{"id", "D1"}, {"type", 0}}})}})
          .dump());
  CHECK(coupon.status == 400);
  CHECK(body_of(coupon)["error_msg"] == "The discount D1 is not applicable to this order.");
  CHECK(code(json{{"order_id", "CS0000000000NOPE0"}, {"use_coupon", "NO"}, {"use_discount", "NO"}}.dump()) ==
        "CBC.0101");
  // The v2 path the real BSS took offline is not served.
  CHECK(emu.call("POST", "/v2/orders/customer-orders/pay", pay(no).dump()).status == 404);
  CHECK(order_status_of(emu, b["order_id"]) == 6);  // none of that paid it
  // "NO" ignores the infos member, whatever it holds.
  HttpResponse ok = emu.call("POST", path, pay({{"use_coupon", "NO"}, {"use_discount", "NO"}, {"coupon_infos", 7}}).dump());
  CHECK(ok.status == 204);
  CHECK(order_status_of(emu, b["order_id"]) != 6);
}

TEST_CASE("unsubscribe: visible until released, then gone with its dedicated bandwidth", "[time][bss]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(2, true));
  emu.advance(300);
  const std::string gone = b["server_ids"][0], kept = b["server_ids"][1];
  const std::string bandwidth = emu.server(gone)["band_widths"][0]["band_width_id"];

  HttpResponse r = emu.unsubscribe(json::array({gone}));
  INFO(r.body);
  REQUIRE(r.status == 200);
  json u = body_of(r);
  REQUIRE(u["order_ids"].size() == 1);
  const std::string uorder = u["order_ids"][0];
  CHECK(std::regex_match(uorder, std::regex("^CS[A-Z0-9]{15}$")));
  json o = emu.order(uorder);
  CHECK(o["order_info"]["order_type"] == 4);
  CHECK(o["order_info"]["status"] == 3);
  REQUIRE(o["order_line_items"].size() == 1);
  CHECK(o["order_line_items"][0]["product_id"] == b["product_id"]);

  // Still visible, status unchanged.
  emu.advance(59);
  CHECK(status_of(emu, json(gone)) == 5);
  CHECK(emu.list()["count"] == 2);
  // Unsubscribing it again names it.
  HttpResponse again = emu.unsubscribe(json::array({gone}));
  CHECK(again.status == 400);
  CHECK(body_of(again)["error_code"] == "CBC.0101");
  CHECK(body_of(again)["error_msg"].get<std::string>().find(gone) != std::string::npos);

  emu.advance(1);
  check_cps_error(emu.get(project_path("/cloud-phone/servers/" + gone)), 404, "CPS.0015");
  json list = emu.list();
  CHECK(list["count"] == 1);
  CHECK(list["servers"][0]["server_id"] == kept);
  json bws = body_of(emu.get(project_path("/cloud-phone/bandwidths")));
  for (const json& bw : bws["band_widths"]) CHECK(bw["band_width_id"] != bandwidth);
  CHECK(bws["band_widths"].size() == 1);  // the kept server's own
  CHECK(order_status_of(emu, json(uorder)) == 5);
  CHECK(order_status_of(emu, b["order_id"]) == 5);  // the purchase stays completed
  // Released: now it "does not exist".
  HttpResponse after = emu.unsubscribe(json::array({gone}));
  CHECK(body_of(after)["error_code"] == "CBC.0101");
}

TEST_CASE("unsubscribe with an unknown id changes nothing", "[bss]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, true));
  const std::string id = b["server_ids"][0];
  HttpResponse r = emu.unsubscribe(json::array({id, "ffffffffffffffffffffffffffffffff"}));
  CHECK(r.status == 400);
  json e = body_of(r);
  CHECK(e["error_code"] == "CBC.0101");
  CHECK(e["error_msg"].get<std::string>().find("ffffffffffffffffffffffffffffffff") != std::string::npos);
  emu.advance(3600);
  CHECK(status_of(emu, json(id)) == 5);  // never unsubscribed
  // So it can still be unsubscribed.
  CHECK(emu.unsubscribe(json::array({id})).status == 200);

  auto code = [&](const json& body) {
    HttpResponse x = emu.call("POST", "/v2/orders/subscriptions/resources/unsubscribe", body.dump());
    CHECK(x.status == 400);
    return body_of(x)["error_code"].get<std::string>();
  };
  CHECK(code(json::object()) == "CBC.0100");
  CHECK(code(json{{"resource_ids", json::array()}, {"unsubscribe_type", 1}}) == "CBC.0100");
  CHECK(code(json{{"resource_ids", {id}}, {"unsubscribe_type", 2}}) == "CBC.0100");
  CHECK(code(json{{"resource_ids", {id}}}) == "CBC.0100");
  CHECK(code(json{{"resource_ids", {1}}, {"unsubscribe_type", 1}}) == "CBC.0100");
  CHECK(code(json{{"resource_ids", {id}}, {"unsubscribe_type", 1}, {"unsubscribe_reason", 3}}) == "CBC.0100");
}

TEST_CASE("unsubscribing an unpaid purchase cancels its order on release", "[time][bss]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, false));
  REQUIRE(emu.unsubscribe(b["server_ids"]).status == 200);
  emu.advance(60);
  CHECK(emu.list()["count"] == 0);
  CHECK(order_status_of(emu, b["order_id"]) == 4);
  HttpResponse pay = emu.pay(b["order_id"]);
  CHECK(pay.status == 400);
  CHECK(body_of(pay)["error_code"] == "CBC.0100");
}

TEST_CASE("durations are configurable", "[time]") {
  Durations d;
  d.server_creation_s = 40;
  d.unsubscribe_release_s = 5;
  Emulator emu("", d);
  json b = emu.buy(rx1_purchase(1, true));
  emu.advance(10);
  CHECK(status_of(emu, b["server_ids"][0]) == 1);
  emu.advance(30);
  CHECK(status_of(emu, b["server_ids"][0]) == 5);
  REQUIRE(emu.unsubscribe(b["server_ids"]).status == 200);
  emu.advance(5);
  CHECK(emu.list()["count"] == 0);
}

TEST_CASE("admin clock API advances simulated time", "[time][admin]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, true));
  HttpResponse r = emu.service->handle(HttpRequest{"POST", "/_emulator/clock/advance", {}, R"({"seconds": 300})"});
  REQUIRE(r.status == 200);
  json c = body_of(r);
  check_fields(c, {{"sim_time", Kind::string}, {"sim_epoch_ms", Kind::integer}, {"time_scale", Kind::number}});
  CHECK(status_of(emu, b["server_ids"][0]) == 5);
  r = emu.service->handle(HttpRequest{"POST", "/_emulator/clock/advance", {}, R"({"seconds": -1})"});
  CHECK(r.status == 400);
  // Beyond ten years the microsecond clock would overflow (fuzz/regressions).
  r = emu.service->handle(HttpRequest{"POST", "/_emulator/clock/advance", {}, R"({"seconds": 1e300})"});
  CHECK(r.status == 400);
  r = emu.service->handle(HttpRequest{"GET", "/_emulator/clock", {}, ""});
  CHECK(body_of(r)["sim_time"] == c["sim_time"]);
}

TEST_CASE("stats count operations by path template and status", "[admin]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, true));
  emu.list();
  CHECK(emu.get(project_path("/cloud-phone/servers?limit=0")).status == 400);
  emu.server(b["server_ids"][0]);
  emu.order(b["order_id"]);
  emu.service->handle(HttpRequest{"GET", project_path("/cloud-phone/servers"), {}, ""});  // unsigned: 401

  json ops = emu.stats()["operations"];
  INFO(ops.dump(2));
  CHECK(ops["POST /v2/{project_id}/cloud-phone/servers"]["count"] == 1);
  CHECK(ops["POST /v2/{project_id}/cloud-phone/servers"]["by_status"]["200"] == 1);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["count"] == 3);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["by_status"]["200"] == 1);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["by_status"]["400"] == 1);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["by_status"]["401"] == 1);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers/{server_id}"]["count"] == 1);
  CHECK(ops["GET /v2/orders/customer-orders/details/{order_id}"]["count"] == 1);
  CHECK(ops.size() == 4);  // the admin calls themselves are not counted

  HttpResponse reset = emu.service->handle(HttpRequest{"POST", "/_emulator/stats/reset", {}, ""});
  CHECK(reset.status == 204);
  CHECK(emu.stats()["operations"].empty());
}
