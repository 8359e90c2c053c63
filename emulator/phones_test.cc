// Phones: cph-api.md 5.0-5.2 (list, detail), 5.8 (rename); phones are owned
// by their servers from purchase to release and persist across restarts.
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
void check_phone_fields(const json& p, bool detail) {
  check_fields(p, {{"phone_name", Kind::string}, {"server_id", Kind::string}, {"phone_id", Kind::string},
                   {"phone_model_name", Kind::string}, {"image_id", Kind::string}, {"image_version", Kind::string},
                   {"vnc_enable", Kind::string}, {"status", Kind::integer}, {"imei", Kind::string},
                   {"traffic_type", Kind::string}, {"volume_mode", Kind::integer},
                   {"availability_zone", Kind::string}, {"metadata", Kind::object}, {"create_time", Kind::string},
                   {"update_time", Kind::string}});
  check_fields(p["metadata"], {{"order_id", Kind::string}, {"product_id", Kind::string}});
  CHECK(is_lower_hex(p["phone_id"], 32));
  if (!detail) {
    check_fields(p, {{"type", Kind::integer}});
    return;
  }
  check_fields(p, {{"request_id", Kind::string}, {"access_infos", Kind::array}, {"property", Kind::string},
                   {"phone_data_volume", Kind::object}});
  check_fields(p["phone_data_volume"], {{"volume_type", Kind::string}, {"volume_size", Kind::integer}});
  for (const json& a : p["access_infos"])
    check_fields(a, {{"type", Kind::string}, {"device_ip", Kind::string}, {"phone_ip", Kind::string},
                     {"listen_port", Kind::integer}, {"access_ip", Kind::string}, {"public_ip", Kind::string},
                     {"intranet_ip", Kind::string}, {"server_ip", Kind::string}, {"access_port", Kind::integer},
                     {"phone_ipv6", Kind::string}, {"server_ipv6", Kind::string}});
}
}  // namespace

TEST_CASE("a server owns its phone model's phones, creating then running", "[phones]") {
  Emulator emu;
  json b = emu.buy(rx1_purchase(2, true));
  const std::string s0 = b["server_ids"][0], s1 = b["server_ids"][1];
  json all = emu.phones();  // 5.1 request example: no query
  CHECK(all["count"] == 210);  // 105 phones per rx1.cp.c105.d6.e5v5 server
  check_fields(all, {{"request_id", Kind::string}, {"count", Kind::integer}, {"phones", Kind::array}});
  REQUIRE(all["phones"].size() == 200);  // default limit 200
  for (const json& p : all["phones"]) {
    check_phone_fields(p, false);
    CHECK(p["status"] == 1);  // creating with the server
    CHECK(p["type"] == 0);
    CHECK(p["phone_model_name"] == "rx1.cp.c105.d6.e5v5");
  }
  // Newest server first, highest index first (the 3.1 order).
  CHECK(all["phones"][0]["server_id"] == s1);
  CHECK(all["phones"][0]["phone_name"] == emu.server(s1)["server_name"].get<std::string>() + "-0105");
  emu.advance(300);
  json page = emu.phones("?offset=0&limit=100");  // the quick-start variant
  CHECK(page["phones"].size() == 100);
  CHECK(page["phones"][0]["status"] == 2);
  CHECK(emu.phones("?offset=205")["phones"].size() == 5);
  CHECK(emu.phones("?offset=300")["phones"].empty());
  // Filters combine with AND.
  json one = emu.phones("?server_id=" + s0 + "&limit=200");
  CHECK(one["count"] == 105);
  for (const json& p : one["phones"]) CHECK(p["server_id"] == s0);
  CHECK(emu.phones("?phone_name=-0105")["count"] == 2);
  CHECK(emu.phones("?status=2")["count"] == 210);
  CHECK(emu.phones("?status=8")["count"] == 0);
  CHECK(emu.phones("?type=1")["count"] == 0);
  CHECK(emu.phones("?type=0")["count"] == 210);
  CHECK(emu.phones("?status=0")["count"] == 0);  // A-14: 0 is the other "creating"
  // Another project sees none.
  CHECK(body_of(emu.get(project_path("/cloud-phone/phones", kOtherCaller), kOtherCaller))["count"] == 0);

  // 5.2 detail.
  const std::string id = one["phones"][0]["phone_id"];
  json d = emu.phone(id);
  check_phone_fields(d, true);
  CHECK(d["phone_id"] == id);
  CHECK(d["server_id"] == s0);
  CHECK(d["access_infos"].size() == 2);  // the purchase's two ports
  CHECK(d["access_infos"][0]["type"] == "myServer1");
  CHECK(d["access_infos"][0]["public_ip"] == "");  // internet_accessible "false"
  CHECK(d["access_infos"][1]["public_ip"] != "");
  CHECK(json::parse(d["property"].get<std::string>()).is_object());
  CHECK(d["imei"].get<std::string>().size() == 15);
  // The 5.2 request example names a phone that does not exist.
  check_cps_error(emu.get(project_path("/cloud-phone/phones/1564567b8bab40f34711234cb80d8574")), 404, "CPS.0005");
  check_cps_error(emu.get(project_path("/cloud-phone/phones/" + id, kOtherCaller), kOtherCaller), 404, "CPS.0005");
}

TEST_CASE("phone list validation answers the documented code", "[phones][validation]") {
  Emulator emu;
  const char* cases[][2] = {
      {"?limit=0", "CPS.0002"},  {"?limit=201", "CPS.0002"}, {"?offset=-1", "CPS.0002"}, {"?limit=", "CPS.0002"},
      {"?status=5", "CPS.0010"}, {"?status=abc", "CPS.0010"}, {"?status=9", "CPS.0010"}, {"?type=2", "CPS.0116"},
  };
  for (const auto& [query, code] : cases) {
    INFO(query);
    check_cps_error(emu.get(project_path("/cloud-phone/phones") + query), 400, code);
  }
  CHECK(emu.phones("?limit=200")["count"] == 0);
}

TEST_CASE("rename phone validates the name and its uniqueness on the server", "[phones]") {
  Emulator emu;
  auto ids = emu.normal_servers(1);
  json list = emu.phones("?server_id=" + ids[0]);
  const std::string a = list["phones"][0]["phone_id"], b = list["phones"][1]["phone_id"];
  const std::string path = project_path("/cloud-phone/phones/" + a);
  HttpResponse r = emu.call("PUT", path, R"({"phone_name" : "newName"})");  // 5.8 example
  REQUIRE(r.status == 200);
  check_fields(body_of(r), {{"request_id", Kind::string}});
  CHECK(emu.phone(a)["phone_name"] == "newName");
  CHECK(emu.call("PUT", path, R"({"phone_name" : "手机_1-a"})").status == 200);
  struct Case {
    std::string body;
    int status;
    const char* code;
  };
  const std::string b_name = emu.phone(b)["phone_name"];
  const Case cases[] = {
      {"{}", 400, "CPS.0025"},
      {R"({"phone_name": ""})", 400, "CPS.0025"},
      {R"({"phone_name": 5})", 400, "CPS.0025"},
      {R"({"phone_name": "has space"})", 400, "CPS.0025"},
      {json{{"phone_name", std::string(61, 'a')}}.dump(), 400, "CPS.0025"},
      {json{{"phone_name", b_name}}.dump(), 400, "CPS.0026"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    check_cps_error(emu.call("PUT", path, c.body), c.status, c.code);
  }
  CHECK(emu.phone(a)["phone_name"] == "手机_1-a");  // nothing changed
  check_cps_error(emu.call("PUT", project_path("/cloud-phone/phones/ffffffffffffffffffffffffffffffff"),
                           R"({"phone_name" : "x"})"),
                  404, "CPS.0005");
  check_cps_error(emu.call("PUT", project_path("/cloud-phone/phones/ffffffffffffffffffffffffffffffff"), "{}"), 400,
                  "CPS.0025");  // the name is validated first
}

TEST_CASE("phones go with their server and persist across a restart", "[phones][persistence]") {
  TempPath file;
  std::string server, renamed, other;
  {
    Emulator emu(file.path);
    server = emu.normal_servers(1)[0];
    json list = emu.phones("?server_id=" + server);
    renamed = list["phones"][3]["phone_id"];
    other = list["phones"][4]["phone_id"];
    REQUIRE(emu.call("PUT", project_path("/cloud-phone/phones/" + renamed), R"({"phone_name":"kept"})").status == 200);
    REQUIRE(emu.call("POST", project_path("/cloud-phone/phones/batch-stop"), json{{"phone_ids", {other}}}.dump()).status == 200);
    emu.advance(10);
    CHECK(emu.phone(other)["status"] == 8);
  }
  {
    Emulator emu(file.path);
    CHECK(emu.phones()["count"] == 105);
    CHECK(emu.phone(renamed)["phone_name"] == "kept");
    CHECK(emu.phone(other)["status"] == 8);
    REQUIRE(emu.unsubscribe({server}).status == 200);
    emu.advance(60);
    CHECK(emu.phones()["count"] == 0);
    check_cps_error(emu.get(project_path("/cloud-phone/phones/" + renamed)), 404, "CPS.0005");
  }
  {
    Emulator emu(file.path);
    check_cps_error(emu.get(project_path("/cloud-phone/phones/" + other)), 404, "CPS.0005");
  }
}
