// Issue 4 acceptance, end to end: examples/fleet applied to `cphform
// emulator serve`, then one edit at a time, each planned as exactly that
// in-place change and checked in the emulator afterwards through its own
// APIs (list, tags, bandwidths) and admin views (shared apps, stats).
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {

// Poll the (time-scaled) emulator often: the test waits on orders and jobs.

std::string example_fleet(const std::string& endpoint) {
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src != nullptr);
  std::ifstream in(fs::path(src) / "examples" / "fleet" / "fleet.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string from = "endpoint = \"emulator\"";
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), "endpoint = \"" + endpoint + "\"");
}

// Replaces the first occurrence of `from` after `anchor` (a block header).
std::string edit(std::string s, const std::string& anchor, const std::string& from, const std::string& to) {
  auto a = s.find(anchor);
  REQUIRE(a != std::string::npos);
  auto at = s.find(from, a);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

std::vector<std::string> sorted_names(const std::vector<cph::cloud::Server>& servers, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& s : servers)
    if (s.server_name.rfind(prefix, 0) == 0) out.push_back(s.server_name);
  std::sort(out.begin(), out.end());
  return out;
}

// Plans (exit 2, the given summary line), applies, then plans "No changes".
void plan_apply_settle(const TempDir& dir, const EmulatorProcess& emu, const std::string& summary) {
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  CHECK(plan.out.find(summary) != std::string::npos);
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  auto again = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("No changes.") != std::string::npos);
}

}  // namespace

TEST_CASE("the fleet example applies, then each edit is exactly its in-place change", "[e2e][fleet]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  std::string m = example_fleet(emu.url());
  dir.write("fleet.toml", m);

  auto first = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(first, 0);
  CHECK(first.out.find("Resources: 22 added, 0 changed, 0 destroyed.") != std::string::npos);
  CHECK(first.out.find("game_bandwidth = \"") != std::string::npos);  // outputs printed after apply
  auto servers = emu.servers();
  REQUIRE(servers.size() == 16);
  CHECK(sorted_names(servers, "game-").size() == 12);
  CHECK(find_server(servers, "game-0012") != nullptr);
  CHECK(find_server(servers, "build") != nullptr);
  CHECK(find_server(servers, "test-0003")->keypair_name == "fleet-adb");
  // 2 orders for game (10 + 2), 1 for test, 1 for build; the shared
  // bandwidths were made by the first orders and reused by id.
  CHECK(emu.calls(kPurchase) == 4);
  int shared = 0;
  for (const auto& b : emu.bandwidths()) shared += b.band_width_share_type == 1;
  CHECK(shared == 2);
  auto apps = emu.admin("/_emulator/share-apps").at("servers");
  CHECK(apps.size() == 16);  // game_client on 12, debug_tools on 3 + 1
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  SECTION("bandwidth 300 -> 350: one resize") {
    dir.write("fleet.toml", edit(m, "[bandwidth.game]", "size        = 300", "size        = 350"));
    plan_apply_settle(dir, emu, "Plan: 0 to add, 1 to change, 0 to destroy.");
    CHECK(emu.calls("PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}") == 1);
    bool resized = false;
    for (const auto& b : emu.bandwidths()) resized |= b.band_width_share_type == 1 && b.band_width_size == 350;
    CHECK(resized);
  }
  SECTION("server model upgrade: one change order, no purchase") {
    std::string e = edit(m, "[server.build]", "server_model      = \"physical.rx1.xlarge\"",
                         "server_model      = \"physical.rx1.xlarge.special\"");
    e = edit(e, "[server.build]", "phone_model       = \"rx1.cp.c105.d6.e5v5\"",
             "phone_model       = \"rx1.cp.sp.c105.d8.e5v5\"");
    dir.write("fleet.toml", e);
    plan_apply_settle(dir, emu, "Plan: 0 to add, 1 to change, 0 to destroy.");
    CHECK(emu.calls("POST /v1/{project_id}/cloud-phone/servers/change-server-model") == 1);
    CHECK(emu.calls(kPurchase) == 4);
    CHECK(find_server(emu.servers(), "build")->server_model_name == "physical.rx1.xlarge.special");
  }
  SECTION("an impossible model change is refused at plan time, before any change call") {
    const char* kChange = "POST /v1/{project_id}/cloud-phone/servers/change-server-model";
    std::string other_generation = edit(m, "[server.build]", "server_model      = \"physical.rx1.xlarge\"",
                                        "server_model      = \"physical.rx2.32xlarge.4\"");
    other_generation = edit(other_generation, "[server.build]", "phone_model       = \"rx1.cp.c105.d6.e5v5\"",
                            "phone_model       = \"rc2.pro_max\"");
    dir.write("fleet.toml", other_generation);
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 1);
    CHECK(plan.err.find("server.build: server_model can only change within one generation") != std::string::npos);
    {  // located where the manifest sets the model
      size_t at = other_generation.find("\"physical.rx2.32xlarge.4\"");
      size_t line = 1 + static_cast<size_t>(std::count(other_generation.begin(), other_generation.begin() +
                                                           static_cast<std::ptrdiff_t>(at), '\n'));
      size_t column = at - other_generation.rfind('\n', at);
      CHECK(plan.err.find("fleet.toml:" + std::to_string(line) + ":" + std::to_string(column) + ": server.build: ") !=
            std::string::npos);
    }
    std::string wrong_phone = edit(m, "[server.build]", "server_model      = \"physical.rx1.xlarge\"",
                                   "server_model      = \"physical.rx1.xlarge.special\"");
    dir.write("fleet.toml", wrong_phone);
    auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
    REQUIRE_RUN(apply, 1);
    CHECK(apply.err.find("is not a phone model of server model \"physical.rx1.xlarge.special\"") != std::string::npos);
    CHECK(emu.calls(kChange) == 0);
  }
  SECTION("tag edited: one tags call per direction per server") {
    dir.write("fleet.toml", edit(m, "[server.test]", "role = \"test\"", "role = \"qa\""));
    plan_apply_settle(dir, emu, "Plan: 0 to add, 3 to change, 0 to destroy.");
    int qa = 0;
    for (const auto& r : emu.server_tags())
      for (const auto& t : r.tags) qa += t.key == "role" && t.value == "qa";
    CHECK(qa == 3);
  }
  SECTION("key pair changed: the new key pair first, then one open-access call") {
    dir.write("fleet.toml", edit(m, "[server.test]", "keypair           = \"keypair.adb\"",
                                 "keypair           = \"keypair.ops\"") +
                                "\n[keypair.ops]\nname = \"fleet-ops\"\n");
    plan_apply_settle(dir, emu, "Plan: 1 to add, 3 to change, 0 to destroy.");
    CHECK(emu.calls("PUT /v1/{project_id}/cloud-phone/servers/open-access") == 1);
    auto now = emu.servers();
    for (const char* n : {"test-0001", "test-0002", "test-0003"}) CHECK(find_server(now, n)->keypair_name == "fleet-ops");
    CHECK(find_server(now, "game-0001")->keypair_name == "fleet-adb");
  }
  SECTION("app added to one more server group: pushed to those servers only") {
    dir.write("fleet.toml", edit(m, "[share_app.debug_tools]", "servers      = [\"server.test\", \"server.build\"]",
                                 "servers      = [\"server.test\", \"server.build\", \"server.game\"]"));
    plan_apply_settle(dir, emu, "Plan: 0 to add, 1 to change, 0 to destroy.");
    CHECK(emu.calls("POST /v1/{project_id}/cloud-phone/phones/share-apps") == 3);  // 2 at creation + 1
    auto apps_now = emu.admin("/_emulator/share-apps").at("servers");
    const std::string game1 = find_server(emu.servers(), "game-0001")->server_id;
    bool has_debug = false;
    for (const auto& app : apps_now.at(game1)) has_debug |= app.at("package_name") == "com.example.debugtools";
    CHECK(has_debug);
  }
  SECTION("a new image is a switch: refused without consent, done with -allow-data-loss") {
    const char* kSwitch = "POST /v2/{project_id}/cloud-phone/servers/{server_id}/change";
    dir.write("fleet.toml", edit(m, "[server.build]", "image_id          = \"${var.image}\"",
                                 "image_id          = \"20032120200330a20b000eae5b8c01e6\""));
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 0);
    CHECK(plan.out.find("PHONE DATA IS LOST") != std::string::npos);
    CHECK(plan.out.find("Plan: 0 to add, 1 to change, 0 to destroy.") != std::string::npos);
    auto refused = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls);
    REQUIRE_RUN(refused, 1);
    CHECK(refused.err.find("-allow-data-loss") != std::string::npos);
    CHECK(emu.calls(kSwitch) == 0);
    REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-allow-data-loss"}, dir.path(), &emu, "", kFastPolls), 0);
    CHECK(emu.calls(kSwitch) == 1);
    REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
  }
  SECTION("rename: one PUT") {
    dir.write("fleet.toml", edit(m, "[server.build]", "name              = \"build\"", "name              = \"builder\""));
    plan_apply_settle(dir, emu, "Plan: 0 to add, 1 to change, 0 to destroy.");
    CHECK(find_server(emu.servers(), "builder") != nullptr);
  }
  SECTION("count 12 -> 15 buys the 3 missing in one order; 15 -> 10 releases indexes 10-14") {
    dir.write("fleet.toml", edit(m, "[server.game]", "count             = 12", "count             = 15"));
    plan_apply_settle(dir, emu, "Plan: 3 to add, 2 to change, 0 to destroy.");  // + the 2 shares on game reach them
    CHECK(emu.calls(kPurchase) == 5);
    CHECK(sorted_names(emu.servers(), "game-").back() == "game-0015");
    dir.write("fleet.toml", edit(m, "[server.game]", "count             = 12", "count             = 10"));
    plan_apply_settle(dir, emu, "Plan: 0 to add, 2 to change, 5 to destroy.");
    CHECK(emu.calls(kUnsubscribe) == 1);
    auto names = sorted_names(emu.servers(), "game-");
    REQUIRE(names.size() == 10);
    CHECK(names.front() == "game-0001");
    CHECK(names.back() == "game-0010");
  }
}
