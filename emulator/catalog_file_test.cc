// `--catalog FILE` (Options::catalog_path): a JSON catalog replacing the
// built-in one (docs/emulator.md "Catalog file").
#include <fstream>

#include "emulator/catalog.h"
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
void write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::unique_ptr<Service> service_with(const std::string& catalog_path) {
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  o.catalog_path = catalog_path;
  return std::make_unique<Service>(o);
}
}  // namespace

TEST_CASE("the built-in catalog round-trips through its JSON form", "[catalog]") {
  Catalog b = Catalog::builtin();
  Catalog again = Catalog::from_json(b.to_json());
  CHECK(again.to_json() == b.to_json());
  CHECK(again.phone_model("rx1.cp.c105.d6.e5v5")->capacity == 105);
}

TEST_CASE("a catalog file replaces the built-in catalog", "[catalog]") {
  TempPath file(".json");
  json c = Catalog::builtin().to_json();
  c["phone_models"] = json::array({{{"name", "tiny.phone"}, {"server_model_name", "physical.rx1.xlarge"},
                                    {"capacity", 3}, {"eip_count", 1}, {"vip_count", 1}}});
  c["availability_zones"] = {"zz-1a"};
  write(file.path, c.dump());
  auto svc = service_with(file.path);
  json body = rx1_purchase(1, true);
  body["phone_model_name"] = "tiny.phone";
  body["availability_zone"] = "zz-1a";
  HttpResponse r = svc->handle(signed_request("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", body.dump()));
  INFO(r.body);
  REQUIRE(r.status == 200);
  svc->advance_clock(300);
  json phones = body_of(svc->handle(signed_request("GET", project_path("/cloud-phone/phones"))));
  CHECK(phones["count"] == 3);
  json models = body_of(svc->handle(signed_request("GET", project_path("/cloud-phone/phone-models"))));
  CHECK(models["phone_models"].size() == 1);
  // The built-in models are gone.
  body["phone_model_name"] = "rx1.cp.c105.d6.e5v5";
  check_cps_error(svc->handle(signed_request("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", body.dump())), 400,
                  "CPS.0028");
}

TEST_CASE("a bad catalog file is refused with a message naming the problem", "[catalog]") {
  TempPath file(".json");
  json good = Catalog::builtin().to_json();
  auto with = [&](const std::function<void(json&)>& change) {
    json c = good;
    change(c);
    return c.dump();
  };
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not valid JSON"},
      {"[]", "must be an object"},
      {with([](json& c) { c.erase("server_models"); }), "server_models"},
      {with([](json& c) { c["phone_models"][0].erase("capacity"); }), "phone_models[0] needs \"capacity\""},
      {with([](json& c) { c["phone_models"][0]["capacity"] = 0; }), "phone_models[0] \"capacity\""},
      {with([](json& c) { c["phone_models"][0]["server_model_name"] = "nope"; }), "unknown server model"},
      {with([](json& c) { c["images"][0]["colour"] = 1; }), "images[0] has an unknown key \"colour\""},
      {with([](json& c) { c["vpcs"][0]["subnets"][0]["ipv6"] = "yes"; }), "vpcs[0].subnets[0]"},
      {with([](json& c) { c["availability_zones"] = json::array(); }), "availability_zones"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text.substr(0, 80));
    write(file.path, text);
    try {
      service_with(file.path);
      FAIL("accepted");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(expected) && Catch::Contains(file.path));
    }
  }
  CHECK_THROWS_WITH(service_with(file.path + ".missing"), Catch::Contains("cannot read"));
  // serve: exit 1 with the message.
  write(file.path, "not json");
  CHECK(serve_main({"--catalog", file.path, "--listen", "127.0.0.1:0"}) == 1);
  CHECK(serve_main({"--catalog"}) == 2);
}

namespace {
HttpResponse buy(Service& svc, const json& body) {
  return svc.handle(signed_request("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", body.dump()));
}
int64_t server_count(Service& svc) {
  return body_of(svc.handle(signed_request("GET", project_path("/cloud-phone/servers"))))["count"].get<int64_t>();
}
size_t bandwidth_count(Service& svc) {
  return body_of(svc.handle(signed_request("GET", project_path("/cloud-phone/bandwidths"))))["band_widths"].size();
}
json with_eip_type(json body, const std::string& type) {
  body["public_ip"]["eip"]["type"] = type;
  return body;
}
}  // namespace

TEST_CASE("the built-in catalog accepts the four EIP types of 3.4 and nothing else", "[catalog]") {
  CHECK(Catalog::builtin().eip_types() == std::vector<std::string>{"5_telcom", "5_union", "5_bgp", "5_sbgp"});
  auto svc = service_with("");
  for (const char* type : {"5_telcom", "5_union", "5_bgp", "5_sbgp"}) {
    HttpResponse r = buy(*svc, with_eip_type(rx1_purchase(1, true), type));
    INFO(type << " " << r.body);
    CHECK(r.status == 200);
  }
  check_cps_error(buy(*svc, with_eip_type(rx1_purchase(1, true), "5_BGP")), 400, "CPS.0239");
  CHECK(server_count(*svc) == 4);
}

TEST_CASE("catalog eip_types restricts public_ip.eip.type (CPS.0239, nothing created)", "[catalog]") {
  TempPath file(".json");
  json c = Catalog::builtin().to_json();
  c["eip_types"] = {"5_sbgp"};
  write(file.path, c.dump());
  auto svc = service_with(file.path);
  const size_t bandwidths = bandwidth_count(*svc);
  check_cps_error(buy(*svc, with_eip_type(rx1_purchase(2, true), "5_bgp")), 400, "CPS.0239");
  CHECK(server_count(*svc) == 0);
  CHECK(bandwidth_count(*svc) == bandwidths);
  HttpResponse ok = buy(*svc, with_eip_type(rx1_purchase(1, true), "5_sbgp"));
  INFO(ok.body);
  CHECK(ok.status == 200);
  CHECK(server_count(*svc) == 1);
  // 3.6 change validates public_ip like a purchase: the same list applies.
  svc->advance_clock(300);
  const std::string id = body_of(ok)["server_ids"][0].get<std::string>();
  json change = with_eip_type(rx1_purchase(1, true), "5_union");
  check_cps_error(svc->handle(signed_request("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers/" + id + "/change",
                                             change.dump())),
                  400, "CPS.0239");
}

TEST_CASE("catalog quotas.servers caps a project's servers (CPS.0065, nothing created)", "[catalog]") {
  TempPath file(".json");
  json c = Catalog::builtin().to_json();
  c["quotas"] = {{"servers", 3}};
  write(file.path, c.dump());
  auto svc = service_with(file.path);
  check_cps_error(buy(*svc, rx1_purchase(4, true)), 400, "CPS.0065");
  CHECK(server_count(*svc) == 0);
  HttpResponse r = buy(*svc, rx1_purchase(3, true));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const size_t bandwidths = bandwidth_count(*svc);
  check_cps_error(buy(*svc, rx1_purchase(1, true)), 400, "CPS.0065");
  CHECK(server_count(*svc) == 3);
  CHECK(bandwidth_count(*svc) == bandwidths);
  // Servers being released still count; once released, the quota is free again.
  svc->advance_clock(300);
  json ids = body_of(r)["server_ids"];
  HttpResponse u = svc->handle(signed_request("POST", "/v2/orders/subscriptions/resources/unsubscribe",
                                              json{{"resource_ids", json::array({ids[0]})}, {"unsubscribe_type", 1}}.dump()));
  INFO(u.body);
  REQUIRE(u.status == 200);
  check_cps_error(buy(*svc, rx1_purchase(1, true)), 400, "CPS.0065");
  svc->advance_clock(100000);
  CHECK(server_count(*svc) == 2);
  HttpResponse again = buy(*svc, rx1_purchase(1, true));
  INFO(again.body);
  CHECK(again.status == 200);
  CHECK(server_count(*svc) == 3);
}

TEST_CASE("eip_types and quotas are optional in a catalog file and checked when given", "[catalog]") {
  json c = Catalog::builtin().to_json();
  c.erase("eip_types");
  c.erase("quotas");
  Catalog d = Catalog::from_json(c);
  CHECK(d.eip_types() == Catalog::builtin().eip_types());
  CHECK(d.quotas().servers == Quotas::kDefaultServers);
  CHECK(Catalog::builtin().quotas().servers == 100000);
  c["eip_types"] = json::array();
  CHECK(Catalog::from_json(c).eip_types().empty());
  c["quotas"] = {{"servers", 0}};
  CHECK(Catalog::from_json(c).quotas().servers == 0);
  const std::pair<json, std::string> bad[] = {
      {{{"eip_types", "5_bgp"}}, "\"eip_types\" must be an array"},
      {{{"eip_types", {""}}}, "eip_types[0]"},
      {{{"eip_types", {"5_bgp", "5_bgp"}}}, "eip_types[1]"},
      {{{"eip_types", {1}}}, "eip_types[0]"},
      {{{"quotas", json::array()}}, "\"quotas\" must be an object"},
      {{{"quotas", {{"server", 3}}}}, "quotas has an unknown key \"server\""},
      {{{"quotas", {{"servers", -1}}}}, "quotas \"servers\""},
      {{{"quotas", {{"servers", "3"}}}}, "quotas \"servers\""},
  };
  for (const auto& [change, expected] : bad) {
    json e = Catalog::builtin().to_json();
    e.update(change);
    INFO(change.dump());
    CHECK_THROWS_WITH(Catalog::from_json(e), Catch::Contains(expected));
  }
}
