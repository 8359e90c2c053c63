#include <catch2/catch.hpp>

#include "resources/cph/server.h"

using namespace cph::resources;
using Json = nlohmann::json;

TEST_CASE("server name rule follows cph-api.md 11.5") {
  Rule r = rules::server_name(60);
  CHECK_FALSE(r(Json("web-01_A")));
  CHECK_FALSE(r(Json("服务器-1")));           // CJK counts as one character each
  CHECK(r(Json("web/1")));
  CHECK(r(Json("")));
  CHECK(r(Json("a b")));
  CHECK_FALSE(r(Json(std::string(60, 'a'))));
  CHECK(r(Json(std::string(61, 'a'))));
  std::string sixty_cjk;
  for (int i = 0; i < 60; ++i) sixty_cjk += "服";
  CHECK_FALSE(r(Json(sixty_cjk)));  // 180 bytes, but 60 characters
  CHECK(r(Json(sixty_cjk + "服")));
  CHECK(utf8_length("服务器") == 3);
}

TEST_CASE("bandwidth size steps follow cph-api.md 4.2 / A-13") {
  const Attribute* bw = server_schema().find("bandwidth");
  REQUIRE(bw);
  const Attribute* size = nullptr;
  for (const auto& f : bw->fields)
    if (f.name == "size") size = &f;
  REQUIRE(size);
  auto ok = [&](int v) { return !size->rules[0](Json(v)).has_value(); };
  CHECK(ok(1));
  CHECK(ok(300));
  CHECK(ok(350));
  CHECK_FALSE(ok(351));
  CHECK(ok(1000));
  CHECK(ok(1500));
  CHECK_FALSE(ok(1200));
  CHECK_FALSE(ok(0));
}

TEST_CASE("block rules: period length by unit, unique ports, name length under count") {
  const auto& check = server_schema().check_block;
  Json a = {{"name", "web"},
            {"period", {{"unit", "month"}, {"length", 10}}},
            {"ports", {{{"name", "p"}, {"listen_port", 20000}}, {{"name", "p"}, {"listen_port", 20000}}}}};
  auto problems = check(a, std::nullopt);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].path == "period.length");
  CHECK(problems[1].path == "ports[1].name");
  CHECK(problems[2].path == "ports[1].listen_port");
  a["period"]["unit"] = "year";
  a["ports"] = Json::array();
  CHECK(check(a, std::nullopt).empty());
  a["name"] = std::string(56, 'n');
  CHECK(check(a, std::nullopt).empty());
  CHECK(check(a, 2).size() == 1);
}

TEST_CASE("instance names and purchase requests") {
  CHECK(server_instance_name("web", false, 0) == "web");
  CHECK(server_instance_name("web", true, 0) == "web-0001");
  CHECK(server_instance_name("web", true, 11) == "web-0012");

  Json attrs = {{"name", "web-0003"},
                {"server_model", "physical.rx1.xlarge"},
                {"phone_model", "rx1.cp.c105.d6.e5v5"},
                {"image_id", "img"},
                {"vpc_id", "v"},
                {"subnet_id", "s"},
                {"keypair", "kp"},
                {"bandwidth", {{"share_type", "shared"}, {"charge_mode", "bandwidth"}, {"id", "bw1"}}},
                {"eip_type", "5_union"},
                {"period", {{"unit", "year"}, {"length", 2}, {"auto_renew", true}}},
                {"ports", {{{"name", "game"}, {"listen_port", 20000}, {"internet_accessible", true}}}}};
  auto one = server_purchase_request({{"server.web[2]", "web-0003", attrs}}, "web");
  CHECK(one.server_name == "web-0003");  // one server: the exact name
  CHECK(one.count == 1);
  CHECK(one.period_type == 3);
  CHECK(one.period_num == 2);
  CHECK(one.is_auto_renew);
  CHECK(one.is_auto_pay);
  CHECK(one.band_width_share_type == 1);
  CHECK(one.band_width_charge_mode == 0);
  CHECK(one.band_width_id == std::optional<std::string>("bw1"));
  CHECK_FALSE(one.band_width_size.has_value());
  CHECK(one.keypair_name == std::optional<std::string>("kp"));
  REQUIRE(one.ports.size() == 1);
  CHECK(one.ports[0].internet_accessible);
  CHECK(server_purchase_names(one) == std::vector<std::string>{"web-0003"});

  auto two = server_purchase_request({{"server.web[2]", "web-0003", attrs}, {"server.web[3]", "web-0004", attrs}}, "web");
  CHECK(two.server_name == "web");  // a batch: the service appends -0001, -0002
  CHECK(server_purchase_names(two) == std::vector<std::string>{"web-0001", "web-0002"});
  CHECK_THROWS(server_purchase_request({}, "web"));
}

TEST_CASE("recorded attributes carry computed and unset optional+computed values") {
  Json desired = {{"name", "a"}, {"availability_zone", nullptr}};
  Json known = {{"name", "old"}, {"id", "x"}, {"status", 5}, {"availability_zone", "cn-east-3a"}};
  Json r = recorded_attributes(server_schema(), desired, known);
  CHECK(r["name"] == "a");
  CHECK(r["id"] == "x");
  CHECK(r["availability_zone"] == "cn-east-3a");
}
