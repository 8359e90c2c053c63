// Server endpoints over plain structs: cph-api.md 3.1, 3.2, 3.3, 3.4, 3.13,
// 4.1, with every documented field and JSON type.
#include <regex>
#include <set>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
// cph-api.md 3.1 table 5-5.
void check_server_fields(const json& s) {
  check_fields(s, {{"server_name", Kind::string},
                   {"availability_zone", Kind::string},
                   {"server_id", Kind::string},
                   {"server_model_name", Kind::string},
                   {"phone_model_name", Kind::string},
                   {"keypair_name", Kind::string},
                   {"status", Kind::integer},
                   {"vpc_id", Kind::string},
                   {"cidr", Kind::string},
                   {"vpc_cidr", Kind::string},
                   {"subnet_id", Kind::string},
                   {"subnet_cidr", Kind::string},
                   {"addresses", Kind::array},
                   {"resource_project_id", Kind::string},
                   {"metadata", Kind::object},
                   {"network_version", Kind::string},
                   {"enterprise_project_id", Kind::string},
                   {"create_time", Kind::string},
                   {"update_time", Kind::string}});
  check_fields(s["metadata"], {{"product_id", Kind::string}, {"order_id", Kind::string}});
  REQUIRE_FALSE(s["addresses"].empty());
  for (const json& a : s["addresses"])
    check_fields(a, {{"intranet_ip", Kind::string},
                     {"access_ip", Kind::string},
                     {"server_ip", Kind::string},
                     {"public_ip", Kind::string}});
  CHECK(cph::parse_iso8601_utc(s["create_time"].get<std::string>()));
  CHECK(cph::parse_iso8601_utc(s["update_time"].get<std::string>()));
}

const std::regex kOrderId("^CS[A-Z0-9]{15}$");
}  // namespace

TEST_CASE("the purchase example is accepted and answers the documented fields", "[servers][purchase]") {
  Emulator emu;
  HttpResponse r = emu.purchase(json::parse(kPurchaseExample));
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string},
                   {"order_id", Kind::string},
                   {"product_id", Kind::string},
                   {"server_ids", Kind::array}});
  CHECK(is_lower_hex(b["request_id"], 32));
  CHECK(r.header("X-Request-Id") == b["request_id"].get<std::string>());
  CHECK(std::regex_match(b["order_id"].get<std::string>(), kOrderId));
  // A-9: exactly `count` ids, 32 lowercase hex (11.4).
  REQUIRE(b["server_ids"].size() == 1);
  const std::string id = b["server_ids"][0];
  CHECK(is_lower_hex(id, 32));

  json s = emu.server(id);
  check_server_fields(s);
  CHECK(s["server_name"] == "cph-kertus-1110");  // count 1: the name as given
  CHECK(s["server_model_name"] == "physical.kg1.4xlarge.cp");
  CHECK(s["phone_model_name"] == "kg1.cp.c20.d64SSD.e1v1");
  CHECK(s["keypair_name"] == "keypair");
  CHECK(s["vpc_id"] == "fca063f6-b942-42a8-9004-e5545f58d6a2");
  CHECK(s["subnet_id"] == "f1cbfc37-eb42-4357-a0ec-9e4f11950908");
  CHECK(s["network_version"] == "v2");
  CHECK(s["resource_project_id"] == kCaller.project_id);
  CHECK(s["metadata"]["order_id"] == b["order_id"]);  // A-7: the natural meaning
  CHECK(s["metadata"]["product_id"] == b["product_id"]);
  CHECK(s["status"] == 0);  // is_auto_pay 0: waits for payment
  CHECK(s["availability_zone"] == "cn-east-3a");
  // 3.2 detail-only fields.
  check_fields(s, {{"request_id", Kind::string},
                   {"band_widths", Kind::array},
                   {"volumes", Kind::array},
                   {"share_volume_info", Kind::object},
                   {"security_groups", Kind::array}});
  REQUIRE(s["band_widths"].size() == 1);
  check_fields(s["band_widths"][0], {{"band_width_name", Kind::string},
                                     {"band_width_id", Kind::string},
                                     {"band_width_size", Kind::integer},
                                     {"band_width_charge_mode", Kind::integer},
                                     {"band_width_share_type", Kind::integer},
                                     {"create_time", Kind::string},
                                     {"update_time", Kind::string}});
  CHECK(s["band_widths"][0]["band_width_size"] == 300);
  CHECK(s["band_widths"][0]["band_width_share_type"] == 0);
  CHECK(s["band_widths"][0]["band_width_charge_mode"] == 1);
  REQUIRE_FALSE(s["volumes"].empty());
  for (const json& v : s["volumes"])
    check_fields(v, {{"volume_name", Kind::string},
                     {"volume_id", Kind::string},
                     {"volume_size", Kind::integer},
                     {"volume_type", Kind::string},
                     {"create_time", Kind::string},
                     {"update_time", Kind::string}});
  check_fields(s["share_volume_info"], {{"volume_type", Kind::string}, {"size", Kind::integer}, {"version", Kind::integer}});
  REQUIRE(s["security_groups"].size() == 1);
  CHECK(s["security_groups"][0].is_string());
  // One private IP in the subnet with one EIP (kg1...e1v1: 1 EIP, 1 VIP).
  REQUIRE(s["addresses"].size() == 1);
  CHECK(s["addresses"][0]["server_ip"].get<std::string>().rfind("192.168.", 0) == 0);
  CHECK(s["addresses"][0]["intranet_ip"] == s["addresses"][0]["server_ip"]);
  CHECK_FALSE(s["addresses"][0]["public_ip"].get<std::string>().empty());
  CHECK(s["addresses"][0]["access_ip"] == s["addresses"][0]["public_ip"]);
}

TEST_CASE("a batch purchase names servers -0001, -0002, ... in server_ids order", "[servers][purchase]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(3));
  REQUIRE(b["server_ids"].size() == 3);
  std::set<std::string> ips;
  for (size_t i = 0; i < 3; ++i) {
    json s = emu.server(b["server_ids"][i]);
    CHECK(s["server_name"] == "cph-kertus-1110-000" + std::to_string(i + 1));
    // rx1.cp.c105.d6.e5v5: five private IPs, the first with the one EIP.
    REQUIRE(s["addresses"].size() == 5);
    CHECK_FALSE(s["addresses"][0]["public_ip"].get<std::string>().empty());
    CHECK(s["addresses"][1]["public_ip"] == "");
    for (const json& a : s["addresses"]) ips.insert(a["server_ip"]);
  }
  CHECK(ips.size() == 15);  // no address handed out twice
}

TEST_CASE("server list: documented fields, count, paging and order", "[servers][list]") {
  Emulator emu;
  json first = emu.buy(rx1_purchase(10));
  emu.advance(5);
  json second = emu.buy(rx1_purchase(2));

  json all = emu.list();
  check_fields(all, {{"request_id", Kind::string}, {"count", Kind::integer}, {"servers", Kind::array}});
  CHECK(all["count"] == 12);
  REQUIRE(all["servers"].size() == 12);
  for (const json& s : all["servers"]) check_server_fields(s);
  // Newest first; within one purchase (same creation time) the later-inserted
  // server first.
  CHECK(all["servers"][0]["server_id"] == second["server_ids"][1]);
  CHECK(all["servers"][1]["server_id"] == second["server_ids"][0]);
  CHECK(all["servers"][2]["server_id"] == first["server_ids"][9]);
  CHECK(all["servers"][11]["server_id"] == first["server_ids"][0]);

  json page = emu.list("?offset=10&limit=5");
  CHECK(page["count"] == 12);
  REQUIRE(page["servers"].size() == 2);
  CHECK(page["servers"][0]["server_id"] == all["servers"][10]["server_id"]);

  page = emu.list("?limit=5");
  CHECK(page["servers"].size() == 5);
  page = emu.list("?offset=0&limit=100");
  CHECK(page["servers"].size() == 12);
  // Offset at or beyond the total: an empty page, count still the total.
  page = emu.list("?offset=12");
  CHECK(page["count"] == 12);
  CHECK(page["servers"].empty());
  page = emu.list("?offset=1000&limit=1");
  CHECK(page["servers"].empty());

  for (const char* bad : {"?limit=0", "?limit=101", "?limit=-1", "?limit=abc", "?limit=", "?offset=-1",
                          "?offset=1.5", "?offset=x", "?limit=10abc"}) {
    INFO(bad);
    check_cps_error(emu.get(project_path("/cloud-phone/servers") + bad), 400, "CPS.0002");
  }
}

TEST_CASE("server list filters", "[servers][list]") {
  Emulator emu;
  json a = emu.buy(rx1_purchase(2));
  json single = rx1_purchase(1);
  single["server_name"] = "other-box";
  json b = emu.buy(single);

  json r = emu.list("?server_name=kertus");  // fuzzy: substring
  CHECK(r["count"] == 2);
  r = emu.list("?server_name=box");
  REQUIRE(r["count"] == 1);
  CHECK(r["servers"][0]["server_name"] == "other-box");
  r = emu.list("?server_name=KERTUS");
  CHECK(r["count"] == 0);
  r = emu.list("?server_id=" + a["server_ids"][1].get<std::string>());
  REQUIRE(r["count"] == 1);
  CHECK(r["servers"][0]["server_id"] == a["server_ids"][1]);
  r = emu.list("?server_id=" + a["server_ids"][1].get<std::string>() + "&server_name=box");
  CHECK(r["count"] == 0);
  r = emu.list("?server_id=ffffffffffffffffffffffffffffffff");
  CHECK(r["count"] == 0);
  r = emu.list("?network_version=v2");
  CHECK(r["count"] == 3);
  r = emu.list("?network_version=V2");
  CHECK(r["count"] == 3);
  r = emu.list("?network_version=v1");
  CHECK(r["count"] == 0);
  check_cps_error(emu.get(project_path("/cloud-phone/servers?network_version=v3")), 400, "CPS.0240");
  // Percent-encoded filter values are decoded.
  r = emu.list("?server_name=other%2Dbox");
  CHECK(r["count"] == 1);
}

TEST_CASE("server detail of an unknown server is 404 CPS.0015", "[servers][detail]") {
  Emulator emu;
  check_cps_error(emu.get(project_path("/cloud-phone/servers/88b8449b896f3a4f0ad57222dd91909")), 404, "CPS.0015");
}

TEST_CASE("projects are isolated", "[servers]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1));
  const std::string id = b["server_ids"][0];
  HttpResponse other = emu.get(project_path("/cloud-phone/servers", kOtherCaller), kOtherCaller);
  REQUIRE(other.status == 200);
  CHECK(body_of(other)["count"] == 0);
  check_cps_error(emu.get(project_path("/cloud-phone/servers/" + id, kOtherCaller), kOtherCaller), 404, "CPS.0015");
  HttpResponse order = emu.get("/v2/orders/customer-orders/details/" + b["order_id"].get<std::string>(), kOtherCaller);
  CHECK(order.status == 400);
  CHECK(body_of(order)["error_code"] == "CBC.0101");
}

TEST_CASE("server models (3.3)", "[servers][models]") {
  Emulator emu;
  HttpResponse r = emu.get(project_path("/cloud-phone/server-models"));
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"server_models", Kind::array}});
  std::set<std::string> names;
  for (const json& m : b["server_models"]) {
    check_fields(m, {{"server_model_name", Kind::string},
                     {"server_type", Kind::string},
                     {"cpu", Kind::integer},
                     {"memory", Kind::integer},
                     {"extend_spec", Kind::object},
                     {"product_type", Kind::integer},
                     {"free_size", Kind::integer}});
    check_fields(m["extend_spec"], {{"cpu", Kind::string},
                                    {"memory", Kind::string},
                                    {"disk", Kind::string},
                                    {"network_interface", Kind::string},
                                    {"gpu", Kind::string},
                                    {"bms_flavor", Kind::string},
                                    {"gpu_count", Kind::integer},
                                    {"numa_count", Kind::integer}});
    names.insert(m["server_model_name"]);
  }
  // 10.3 (A.3) and every model of the examples.
  for (const char* n : {"physical.rx1.xlarge", "physical.rx1.xlarge.cg", "physical.kg1.4xlarge.cp",
                        "physical.kg1.4xlarge.cg", "physical.rx2.32xlarge.4", "physical.rx3.32xlarge.4",
                        "physical.kg1m.4xlarge.cg", "physical.rx1.xlarge.special"})
    CHECK(names.count(n));
  // The 3.3 example entry, verbatim.
  for (const json& m : b["server_models"])
    if (m["server_model_name"] == "physical.rx1.xlarge") {
      CHECK(m["server_type"] == "Hi1616");
      CHECK(m["cpu"] == 64);
      CHECK(m["memory"] == 256);
      CHECK(m["extend_spec"]["bms_flavor"] == "physical.rg1.xlarge.cph.ondemand");
      CHECK(m["extend_spec"]["gpu_count"] == 3);
    }

  json games = body_of(emu.get(project_path("/cloud-phone/server-models?product_type=1")));
  REQUIRE_FALSE(games["server_models"].empty());
  for (const json& m : games["server_models"]) CHECK(m["product_type"] == 1);
  CHECK(games["server_models"].size() < b["server_models"].size());
  check_cps_error(emu.get(project_path("/cloud-phone/server-models?product_type=2")), 400, "CPS.0144");
}

TEST_CASE("rename (3.13)", "[servers][rename]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(1, true));
  const std::string id = b["server_ids"][0];
  const std::string path = project_path("/cloud-phone/servers/" + id);
  json before = emu.server(id);
  emu.advance(30);

  // The reference's example body, verbatim.
  HttpResponse r = emu.call("PUT", path, "{\n  \"server_name\" : \"newName\"\n}");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json rb = body_of(r);
  check_fields(rb, {{"request_id", Kind::string}});
  json after = emu.server(id);
  CHECK(after["server_name"] == "newName");
  CHECK(*cph::parse_iso8601_utc(after["update_time"].get<std::string>()) ==
        *cph::parse_iso8601_utc(before["update_time"].get<std::string>()) + 30);
  CHECK(after["create_time"] == before["create_time"]);

  for (const json& bad : {json{{"server_name", ""}}, json{{"server_name", std::string(61, 'n')}},
                          json{{"server_name", "new name"}}, json{{"server_name", 7}}, json::object()}) {
    INFO(bad.dump());
    check_cps_error(emu.call("PUT", path, bad.dump()), 400, "CPS.0087");
  }
  CHECK(emu.server(id)["server_name"] == "newName");
  check_cps_error(emu.call("PUT", project_path("/cloud-phone/servers/ffffffffffffffffffffffffffffffff"),
                           R"({"server_name":"x"})"),
                  404, "CPS.0015");
}

TEST_CASE("shared bandwidths are created once and reused by id", "[servers][bandwidth]") {
  Emulator emu;
  json whole = rx1_purchase(2);
  whole["band_width"] = {{"band_width_share_type", 1}, {"band_width_size", 350}, {"band_width_charge_mode", 0}};
  json first = emu.buy(whole);
  json s0 = emu.server(first["server_ids"][0]);
  json s1 = emu.server(first["server_ids"][1]);
  REQUIRE(s0["band_widths"].size() == 1);
  const std::string shared = s0["band_widths"][0]["band_width_id"];
  CHECK(s1["band_widths"][0]["band_width_id"] == shared);
  CHECK(s0["band_widths"][0]["band_width_share_type"] == 1);
  CHECK(s0["band_widths"][0]["band_width_size"] == 350);
  CHECK(s0["band_widths"][0]["band_width_name"] == "BANDWIDTH_" + std::regex_replace(shared, std::regex("-"), ""));

  json reuse = rx1_purchase(1);
  reuse["band_width"] = {{"band_width_share_type", 1}, {"band_width_id", shared}, {"band_width_charge_mode", 0}};
  json second = emu.buy(reuse);
  CHECK(emu.server(second["server_ids"][0])["band_widths"][0]["band_width_id"] == shared);

  // 4.1 lists it once.
  json bws = body_of(emu.get(project_path("/cloud-phone/bandwidths")));
  REQUIRE(bws["band_widths"].size() == 1);
  check_fields(bws["band_widths"][0], {{"band_width_name", Kind::string},
                                       {"band_width_id", Kind::string},
                                       {"band_width_size", Kind::integer},
                                       {"band_width_charge_mode", Kind::integer},
                                       {"band_width_share_type", Kind::integer},
                                       {"create_time", Kind::string},
                                       {"update_time", Kind::string}});

  // Mismatches with the existing shared bandwidth are refused.
  json wrong = reuse;
  wrong["band_width"]["band_width_charge_mode"] = 1;
  check_cps_error(emu.purchase(wrong), 400, "CPS.0035");
  wrong = reuse;
  wrong["band_width"]["band_width_size"] = 400;
  check_cps_error(emu.purchase(wrong), 400, "CPS.0036");
  // A dedicated bandwidth cannot be reused as a shared one.
  json dedicated = emu.buy(rx1_purchase(1));
  json ds = emu.server(dedicated["server_ids"][0]);
  wrong = reuse;
  wrong["band_width"]["band_width_id"] = ds["band_widths"][0]["band_width_id"];
  check_cps_error(emu.purchase(wrong), 400, "CPS.0033");
  // Another project cannot use it.
  HttpResponse other = emu.purchase(reuse, kOtherCaller);
  check_cps_error(other, 404, "CPS.0115");
}

TEST_CASE("unknown routes are 404 with a JSON body and counted as unmatched", "[servers][routes]") {
  Emulator emu;
  HttpResponse r = emu.get("/v1/" + kCaller.project_id + "/cloud-phone/nothing-here");
  CHECK(r.status == 404);
  json b = body_of(r);
  CHECK(b["error_code"] == "APIGW.0101");
  CHECK(b["error_msg"].is_string());
  CHECK(b["request_id"].is_string());
  r = emu.call("DELETE", project_path("/cloud-phone/servers"));
  CHECK(r.status == 404);
  json stats = emu.stats()["operations"];
  CHECK(stats["GET <unmatched>"]["count"] == 1);
  CHECK(stats["DELETE <unmatched>"]["by_status"]["404"] == 1);
}

TEST_CASE("a full subnet answers CPS.0241, changes nothing, and frees addresses on release", "[servers][purchase]") {
  Emulator emu;
  // c7f9983d... is a /24: 253 usable hosts; rx1.cp.c105.d6.e5v5 takes 5 per server.
  json body = rx1_purchase(10, true);
  body["tenant_vpc_id"] = "9a11e291-967f-4dd6-99bd-9be54f10583c";
  body["nics"][0]["subnet_id"] = "c7f9983d-03ca-4a2e-a0e1-d6bd97174669";
  std::vector<std::string> first_batch;
  for (int i = 0; i < 5; ++i) {
    json b = emu.buy(body);
    if (i == 0) first_batch = b["server_ids"].get<std::vector<std::string>>();
  }
  CHECK(emu.list()["count"] == 50);  // 250 addresses used, 3 left
  json one = body;
  one["count"] = 1;
  check_cps_error(emu.purchase(one), 400, "CPS.0241");
  CHECK(emu.list()["count"] == 50);
  CHECK(body_of(emu.get(project_path("/cloud-phone/bandwidths?limit=100")))["band_widths"].size() == 50);

  REQUIRE(emu.unsubscribe(json(first_batch)).status == 200);
  emu.advance(60);
  json again = emu.buy(body);
  CHECK(emu.server(again["server_ids"][0])["addresses"][0]["server_ip"].get<std::string>().rfind("192.168.0.", 0) == 0);
}
