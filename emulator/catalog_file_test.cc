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
