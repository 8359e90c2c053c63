// cph-api.md 3.6 (change server: a job), 3.12 (change server model: an
// order) and 4.2 (shared bandwidth size).
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
// cph-api.md 3.6 request example, verbatim.
constexpr const char* kChangeExample = R"({
  "phone_model_name" : "kg1.cp.c20.d64SSD.e1v1",
  "image_id" : "20060220200717f201120a2300000e91",
  "keypair_name" : "keypair",
  "ports" : [ { "name" : "myServer1", "listen_port" : 20000, "internet_accessible" : "false" },
              { "name" : "myServer2", "listen_port" : 20001, "internet_accessible" : "true" } ],
  "extend_param" : { "enterprise_project_id" : "0" },
  "tenant_vpc_id" : "fca063f6-b942-42a8-9004-e5545f58d6a2",
  "nics" : [ { "subnet_id" : "f1cbfc37-eb42-4357-a0ec-9e4f11950908" } ],
  "public_ip" : { "eip" : { "type" : "5_bgp" } },
  "band_width" : { "band_width_share_type" : 0, "band_width_size" : 300, "band_width_charge_mode" : 1 }
})";

// cph-api.md 3.12 request example (server_id replaced by a real one).
json change_model_example(const std::string& server_id) {
  json b = json::parse(R"({
  "server_id" : "a176d8625981453bbafbc0a321d8d6a1",
  "server_model_name" : "physical.rx1.xlarge.special",
  "phone_model_name" : "rx1.cp.sp.c105.d8.e5v5",
  "extend_param" : { "is_auto_pay" : 1 }
})");
  b["server_id"] = server_id;
  return b;
}

std::string normal_server(Emulator& emu, json purchase) {
  purchase["extend_param"]["is_auto_pay"] = 1;
  json b = emu.buy(purchase);
  emu.advance(300);
  return b["server_ids"][0];
}

HttpResponse change(Emulator& emu, const std::string& id, const json& body) {
  return emu.call("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers/" + id + "/change", body.dump());
}
HttpResponse change_model(Emulator& emu, const json& body) {
  return emu.call("POST", project_path("/cloud-phone/servers/change-server-model"), body.dump());
}
}  // namespace

TEST_CASE("3.6 change: the example is accepted; one job re-creates the phones", "[servers][change]") {
  Emulator emu;
  const std::string id = normal_server(emu, json::parse(kPurchaseExample));
  json body = json::parse(kChangeExample);
  body["keypair_name"] = "mykeypair";
  HttpResponse r = change(emu, id, body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"server_id", Kind::string}, {"job_id", Kind::string}});
  CHECK(b["server_id"] == id);
  // A second change while the first runs is refused; so is a restart item.
  check_cps_error(change(emu, id, body), 400, "CPS.1102");
  json restart = body_of(emu.call("POST", project_path("/cloud-phone/servers/batch-restart"),
                                  json{{"server_ids", {id}}}.dump()));
  CHECK(restart["jobs"][0]["error_code"] == "CPS.1105");
  emu.advance(300);
  json j = body_of(emu.get(project_path("/cloud-phone/jobs/" + b["job_id"].get<std::string>())));
  CHECK(j["status"] == 2);
  json s = emu.server(id);
  CHECK(s["keypair_name"] == "mykeypair");
  CHECK(s["server_name"] == "cph-kertus-1110");  // name, id and AZ stay
}

TEST_CASE("3.6 change validation", "[servers][change][validation]") {
  Emulator emu;
  const std::string id = normal_server(emu, json::parse(kPurchaseExample));
  json unpaid = emu.buy(json::parse(kPurchaseExample));  // is_auto_pay 0: status 0
  const std::string creating = unpaid["server_ids"][0];
  auto with = [](const char* key, json v) {
    json b = json::parse(kChangeExample);
    if (v.is_null()) b.erase(key); else b[key] = std::move(v);
    return b;
  };
  struct Case {
    std::string server;
    json body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"0123456789abcdef0123456789abcdef", json::parse(kChangeExample), 404, "CPS.0015"},
      {id, with("phone_model_name", nullptr), 400, "CPS.0027"},
      {id, with("phone_model_name", "rx1.cp.c105.d6.e5v5"), 400, "CPS.0257"},  // another server model's
      {id, with("image_id", nullptr), 400, "CPS.0029"},
      {id, with("keypair_name", ""), 400, "CPS.0068"},
      {id, with("keypair_name", "nope"), 400, "CPS.0067"},
      {id, with("extend_param", 5), 400, "CPS.0055"},
      {id, with("extend_param", {{"enterprise_project_id", "x"}}), 400, "CPS.0316"},
      {id, with("tenant_vpc_id", nullptr), 400, "CPS.0223"},
      {id, with("nics", nullptr), 400, "CPS.0226"},
      {id, with("public_ip", nullptr), 400, "CPS.0238"},
      {id, with("band_width", nullptr), 400, "CPS.0031"},
      {creating, json::parse(kChangeExample), 400, "CPS.1102"},
  };
  for (const Case& c : cases) {
    INFO(c.body.dump());
    check_cps_error(change(emu, c.server, c.body), c.status, c.code);
  }
  REQUIRE(emu.unsubscribe(json{id}).status == 200);
  check_cps_error(change(emu, id, json::parse(kChangeExample)), 400, "CPS.1104");
}

TEST_CASE("3.12 change server model: an order; ~2 minutes later the detail shows the new model", "[servers][change-model]") {
  Emulator emu;
  const std::string id = normal_server(emu, rx1_purchase());
  HttpResponse r = change_model(emu, change_model_example(id));
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"order_id", Kind::string}, {"product_id", Kind::string}});
  json o = emu.order(b["order_id"]);
  CHECK(o["order_info"]["order_type"] == 3);
  CHECK(o["order_info"]["status"] == 3);
  check_cps_error(change_model(emu, change_model_example(id)), 400, "CPS.0245");  // one change at a time
  emu.advance(119);
  CHECK(emu.server(id)["server_model_name"] == "physical.rx1.xlarge");
  emu.advance(1);
  json s = emu.server(id);
  CHECK(s["server_model_name"] == "physical.rx1.xlarge.special");
  CHECK(s["phone_model_name"] == "rx1.cp.sp.c105.d8.e5v5");
  CHECK(emu.order(b["order_id"])["order_info"]["status"] == 5);
}

TEST_CASE("3.12 without auto-pay waits for the BSS payment", "[servers][change-model]") {
  Emulator emu;
  const std::string id = normal_server(emu, rx1_purchase());
  json body = change_model_example(id);
  body.erase("extend_param");
  json b = body_of(change_model(emu, body));
  REQUIRE(b.contains("order_id"));
  CHECK(emu.order(b["order_id"])["order_info"]["status"] == 6);
  emu.advance(600);
  CHECK(emu.server(id)["server_model_name"] == "physical.rx1.xlarge");
  REQUIRE(emu.pay(b["order_id"]).status == 204);
  emu.advance(120);
  CHECK(emu.server(id)["server_model_name"] == "physical.rx1.xlarge.special");
}

TEST_CASE("3.12 validation", "[servers][change-model][validation]") {
  Emulator emu;
  const std::string id = normal_server(emu, rx1_purchase());
  const std::string kg1 = normal_server(emu, json::parse(kPurchaseExample));  // not in the allow-list
  auto with = [&](const char* key, json v) {
    json b = change_model_example(id);
    if (v.is_null()) b.erase(key); else b[key] = std::move(v);
    return b;
  };
  struct Case {
    json body;
    int status;
    const char* code;
  };
  json other_server = change_model_example(kg1);
  const Case cases[] = {
      {with("server_id", nullptr), 400, "CPS.0097"},
      {with("server_id", 7), 400, "CPS.0097"},
      {with("server_model_name", nullptr), 400, "CPS.0088"},
      {with("server_model_name", 1), 400, "CPS.0089"},
      {with("server_model_name", "physical.nope"), 400, "CPS.0246"},
      {with("phone_model_name", nullptr), 400, "CPS.0027"},
      {with("phone_model_name", "nope"), 400, "CPS.0028"},
      {with("extend_param", "x"), 400, "CPS.0055"},
      {with("extend_param", {{"is_auto_pay", 2}}), 400, "CPS.0060"},
      {with("server_id", "0123456789abcdef0123456789abcdef"), 404, "CPS.0015"},
      {with("server_model_name", "physical.rx1.xlarge"), 400, "CPS.0250"},
      {other_server, 400, "CPS.0245"},
      {with("server_model_name", "physical.rx1.xlarge.cg"), 400, "CPS.0247"},
      {with("phone_model_name", "rx1.cp.c105.d6.e5v5"), 400, "CPS.0257"},
  };
  for (const Case& c : cases) {
    INFO(c.body.dump());
    check_cps_error(change_model(emu, c.body), c.status, c.code);
  }
  emu.advance(300);
  CHECK(emu.server(id)["server_model_name"] == "physical.rx1.xlarge");
}

TEST_CASE("4.2 resizes a shared bandwidth only, with the A-13 steps", "[bandwidths]") {
  Emulator emu;
  json shared = rx1_purchase();
  shared["band_width"] = {{"band_width_share_type", 1}, {"band_width_size", 300}, {"band_width_charge_mode", 0}};
  std::string sid = emu.buy(shared)["server_ids"][0];
  std::string bw = emu.server(sid)["band_widths"][0]["band_width_id"];
  std::string did = emu.buy(rx1_purchase())["server_ids"][0];
  std::string dedicated = emu.server(did)["band_widths"][0]["band_width_id"];
  auto put = [&](const std::string& id, const json& body) {
    return emu.call("PUT", project_path("/cloud-phone/bandwidths/" + id), body.dump());
  };
  HttpResponse r = put(bw, json::parse(R"({ "band_width_size" : 350 })"));  // the example
  INFO(r.body);
  REQUIRE(r.status == 200);
  check_fields(body_of(r), {{"request_id", Kind::string}});
  CHECK(emu.server(sid)["band_widths"][0]["band_width_size"] == 350);
  struct Case {
    std::string id;
    json body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {bw, json::object(), 400, "CPS.0036"},      {bw, {{"band_width_size", "350"}}, 400, "CPS.0036"},
      {bw, {{"band_width_size", 0}}, 400, "CPS.0036"}, {bw, {{"band_width_size", 320}}, 400, "CPS.0036"},
      {bw, {{"band_width_size", 1200}}, 400, "CPS.0036"}, {"nope", {{"band_width_size", 10}}, 404, "CPS.0115"},
      {dedicated, {{"band_width_size", 10}}, 400, "CPS.0160"},
  };
  for (const Case& c : cases) {
    INFO(c.body.dump());
    check_cps_error(put(c.id, c.body), c.status, c.code);
  }
  CHECK(emu.server(sid)["band_widths"][0]["band_width_size"] == 350);
  CHECK(put(bw, {{"band_width_size", 1500}}).status == 200);
}
