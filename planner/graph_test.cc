// The execution graph of fleets: what is created first, what is deleted
// last, which operation carries out which change, and the plan errors.
#include <algorithm>

#include <catch2/catch.hpp>

#include "planner/planner.h"
#include "resources/cph/cph_provider.h"
#include "resources/cph/server.h"

using namespace cph;
using namespace cph::planner;
using Json = nlohmann::json;
// These tests plan CPH resources: the inventory is the CPH provider's.
using Inventory = resources::CphInventory;

namespace {

const std::string kServer = R"(
server_model = "physical.rx1.xlarge"
phone_model  = "rx1.cp.c105.d6.e5v5"
image_id     = "20060220200717f201120a2300000e91"
vpc_id       = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id    = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
)";

const std::string kFleet = R"(
[keypair.adb]
name = "fleet-adb"

[bandwidth.shared]
size = 300

[server.game]
name      = "game"
count     = 2
keypair   = "keypair.adb"
bandwidth = "bandwidth.shared"
)" + kServer + R"(
[share_app.client]
package_name = "com.example.client"
bucket       = "apps"
object       = "client.tar"
servers      = ["server.game"]
)";

Plan plan_of(const manifest::Manifest* m, const std::vector<state::ResourceRow>& rows, const Inventory& live,
             bool destroy = false) {
  PlanInput in;
  in.manifest = m;
  in.rows = rows;
  in.live = &live;
  in.destroy = destroy;
  return make_plan(in);
}

size_t step_of(const Plan& p, const std::string& operation) {
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (p.steps[i].operation == operation) return i;
  FAIL("no step " << operation);
  return 0;
}

bool waits_for(const Plan& p, size_t step, size_t dep) {
  const auto& after = p.steps[step].after;
  return std::find(after.begin(), after.end(), dep) != after.end();
}

// Rows of the applied fleet, and a live inventory that agrees with them.
struct Applied {
  std::vector<state::ResourceRow> rows;
  Inventory live;
  Applied() {
    live.read_bandwidths = live.read_keypairs = live.read_tags = true;
    rows.push_back({"keypair.adb", "keypair", "fleet-adb", {{"name", "fleet-adb"}}, {}, ""});
    live.keypairs["fleet-adb"].name = "fleet-adb";
    rows.push_back({"bandwidth.shared", "bandwidth", "bw1", {{"size", 300}, {"charge_mode", "bandwidth"}}, {}, ""});
    cloud::BandWidthInfo b;
    b.band_width_id = "bw1";
    b.band_width_size = 300;
    b.band_width_share_type = 1;
    live.bandwidths["bw1"] = b;
    for (int i = 0; i < 2; ++i) {
      std::string id = "srv" + std::to_string(i);
      cloud::Server s;
      s.server_id = id;
      s.server_name = resources::server_instance_name("game", true, i);
      s.server_model_name = "physical.rx1.xlarge";
      s.phone_model_name = "rx1.cp.c105.d6.e5v5";
      s.keypair_name = "fleet-adb";
      s.vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2";
      s.subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";
      s.status = 5;
      live.servers[id] = s;
      Json a = {{"name", s.server_name}, {"server_model", s.server_model_name}, {"phone_model", s.phone_model_name},
                {"image_id", "20060220200717f201120a2300000e91"}, {"vpc_id", s.vpc_id}, {"subnet_id", s.subnet_id},
                {"keypair", "fleet-adb"}, {"bandwidth", "bandwidth.shared"}, {"eip_type", "5_bgp"},
                {"period", {{"unit", "month"}, {"length", 1}, {"auto_renew", false}}}, {"ports", Json::array()}};
      rows.push_back({"server.game[" + std::to_string(i) + "]", "server", id, a, {}, ""});
    }
    rows.push_back({"share_app.client", "share_app", "com.example.client",
                    {{"package_name", "com.example.client"}, {"bucket", "apps"}, {"object", "client.tar"},
                     {"pre_install", false}, {"servers", {"server.game[0]", "server.game[1]"}}},
                    {},
                    ""});
  }
};

}  // namespace

TEST_CASE("a new fleet: key pair first, the purchase makes the bandwidth, apps after their servers") {
  auto m = manifest::parse_manifest(kFleet, "fleet.toml");
  Inventory live;
  Plan p = plan_of(&m, {}, live);
  CHECK(p.to_add() == 5);  // key pair, bandwidth, 2 servers, the app
  size_t kp = step_of(p, "create_keypair");
  size_t buy = step_of(p, "purchase");
  size_t push = step_of(p, "push_share");
  CHECK(waits_for(p, buy, kp));
  CHECK(waits_for(p, push, buy));
  CHECK(kp < buy);
  CHECK(buy < push);
  // The bandwidth's create rides on the purchase (3.4 creates it).
  bool carries = false;
  for (size_t a : p.steps[buy].actions) carries |= p.actions[a].address == "bandwidth.shared";
  CHECK(carries);
  // The share targets instance addresses, the server the key pair's name.
  for (const Action& a : p.actions) {
    if (a.address == "share_app.client") CHECK(a.after["servers"] == Json({"server.game[0]", "server.game[1]"}));
    if (a.address == "server.game[0]") CHECK(a.after["keypair"] == "fleet-adb");
  }
}

TEST_CASE("destroying a fleet deletes apps before servers, and key pair and bandwidth after them") {
  Applied w;
  Plan p = plan_of(nullptr, w.rows, w.live, true);
  CHECK(p.to_destroy() == 5);
  size_t del = step_of(p, "delete_share");
  size_t release = step_of(p, "unsubscribe");
  size_t kp = step_of(p, "delete_keypair");
  size_t bw = step_of(p, "forget");
  CHECK(waits_for(p, release, del));
  CHECK(waits_for(p, kp, release));
  CHECK(waits_for(p, bw, release));
}

TEST_CASE("the applied fleet plans no changes; each edit picks its operation") {
  Applied w;
  auto m = manifest::parse_manifest(kFleet, "fleet.toml");
  CHECK(plan_of(&m, w.rows, w.live).actions.empty());

  SECTION("a new image alone is a switch (data loss)") {
    std::string text = kFleet;
    text.replace(text.find("20060220200717f201120a2300000e91"), 32, "20060220200717f201120a2300000e92");
    auto edited = manifest::parse_manifest(text, "fleet.toml");
    Plan p = plan_of(&edited, w.rows, w.live);
    REQUIRE(p.actions.size() == 2);
    CHECK(p.actions[0].kind == ActionKind::switch_phones);
    CHECK(p.actions[0].operations == std::vector<std::string>{"switch"});
    CHECK(p.to_change() == 2);
  }
  SECTION("a model change carries the phone model: one change order, no switch") {
    std::string text = kFleet;
    text.replace(text.find("physical.rx1.xlarge"), 19, "physical.rx1.xlarge.special");
    text.replace(text.find("rx1.cp.c105.d6.e5v5"), 19, "rx1.cp.sp.c105.d8.e5v5");
    auto edited = manifest::parse_manifest(text, "fleet.toml");
    Plan p = plan_of(&edited, w.rows, w.live);
    REQUIRE(p.actions.size() == 2);
    CHECK(p.actions[0].kind == ActionKind::update);
    CHECK(p.actions[0].operations == std::vector<std::string>{"change_model"});
  }
  SECTION("a bandwidth resize is one in-place step") {
    std::string text = kFleet;
    text.replace(text.find("size = 300"), 10, "size = 350");
    auto edited = manifest::parse_manifest(text, "fleet.toml");
    Plan p = plan_of(&edited, w.rows, w.live);
    REQUIRE(p.steps.size() == 1);
    CHECK(p.steps[0].operation == "resize_bandwidth");
  }
  SECTION("a key pair still used by a server cannot be deleted") {
    std::string text = kFleet;
    text.replace(text.find("[keypair.adb]\nname = \"fleet-adb\"\n"), 33, "");
    text.replace(text.find("\"keypair.adb\""), 13, "\"fleet-adb\"");
    auto edited = manifest::parse_manifest(text, "fleet.toml");
    CHECK_THROWS_WITH(plan_of(&edited, w.rows, w.live), Catch::Contains("still uses key pair \"fleet-adb\""));
  }
  SECTION("prevent_destroy refuses a plan that destroys the block") {
    std::string text = kFleet + "\n";
    text.replace(text.find("count     = 2"), 13, "count     = 1\nlifecycle = { prevent_destroy = true }");
    auto edited = manifest::parse_manifest(text, "fleet.toml");
    CHECK_THROWS_WITH(plan_of(&edited, w.rows, w.live), Catch::Contains("prevent_destroy"));
  }
}
