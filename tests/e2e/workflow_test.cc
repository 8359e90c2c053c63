// CI and review workflows end to end: saved plans, show -json, drift,
// graph, state surgery and locks.
#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;
using Json = nlohmann::json;

TEST_CASE("a saved plan applies exactly once, and only to the state and manifests it was made from", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  auto plan = run_cphform({"plan", "-out=tf.plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(plan.out.find("Saved the plan to: tf.plan") != std::string::npos);
  std::string saved = slurp(dir.path() / "tf.plan");
  CHECK(saved.find(emu.credentials().secret_key) == std::string::npos);  // no secrets in plan files
  CHECK(saved.find(emu.credentials().access_key) == std::string::npos);

  auto show = run_cphform({"show", "-json", "tf.plan"}, dir.path(), nullptr);
  REQUIRE_RUN(show, 0);
  Json report = Json::parse(show.out);
  CHECK(report["format_version"] == "1.2");
  REQUIRE(report["resource_changes"].size() == 2);
  CHECK(report["resource_changes"][0]["address"] == "server.web[0]");
  CHECK(report["resource_changes"][0]["change"]["actions"] == Json{"create"});
  CHECK(report["resource_changes"][0]["change"]["after"]["name"] == "web-0001");
  CHECK(report["cphform"]["summary"]["add"] == 2);
  CHECK(report["resource_drift"].is_array());
  CHECK(report["cphform"]["resource_drift"].is_array());

  SECTION("applied twice: the second is refused") {
    auto first = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
    REQUIRE_RUN(first, 0);
    CHECK(emu.servers().size() == 2);
    auto second = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
    REQUIRE_RUN(second, 1);
    CHECK(second.err.find("stale") != std::string::npos);
    CHECK(emu.calls("POST /v2/{project_id}/cloud-phone/servers") == 1);
  }
  SECTION("stale after an intervening apply") {
    REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
    auto r = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
    REQUIRE_RUN(r, 1);
    CHECK(r.err.find("the state changed since it was made") != std::string::npos);
    CHECK(emu.servers().size() == 2);
  }
  SECTION("stale after a manifest edit") {
    dir.write("main.toml", server_manifest(emu.url(), "web", 3));
    auto r = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
    REQUIRE_RUN(r, 1);
    CHECK(r.err.find("the manifests changed") != std::string::npos);
    CHECK(emu.servers().empty());
  }
}

TEST_CASE("drift reports changes made outside cphform with both values; exit 0 none, 2 drift", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  auto none = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(none, 0);
  CHECK(none.out.find("No drift") != std::string::npos);

  // A console user renames one server and releases the other.
  auto servers = emu.servers();
  REQUIRE(servers.size() == 2);
  std::sort(servers.begin(), servers.end(), [](auto& a, auto& b) { return a.server_name < b.server_name; });
  run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<int> {
    cph::cloud::Endpoints ep{cph::cloud::parse_url(emu.url()), cph::cloud::parse_url(emu.url())};
    cph::cloud::CphClient client(ex, ep, emu.credentials());
    co_await client.rename_server(servers[0].server_id, "by-hand");
    std::vector<std::string> ids = {servers[1].server_id};
    co_await client.unsubscribe(ids);
    co_return 0;
  });
  // Wait for the release to complete (the emulator runs 1000x).
  for (int i = 0; i < 100 && emu.servers().size() > 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));

  auto text = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(text, 2);
  CHECK(text.out.find("name: recorded \"web-0001\", now \"by-hand\" (manifest: \"web-0001\")") != std::string::npos);
  CHECK(text.out.find("server.web[1] (id " + servers[1].server_id + "): deleted outside cphform") != std::string::npos);

  auto json = run_cphform({"drift", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(json, 2);
  Json r = Json::parse(json.out);
  CHECK(r["has_drift"] == true);
  REQUIRE(r["drift"].size() == 2);
  CHECK(r["drift"][0]["changes"][0] ==
        Json{{"attribute", "name"}, {"recorded", "web-0001"}, {"live", "by-hand"}, {"manifest", "web-0001"}});

  auto md = run_cphform({"drift", "-format=markdown", "-out=drift.md"}, dir.path(), &emu);
  REQUIRE_RUN(md, 2);
  std::string markdown = slurp(dir.path() / "drift.md");
  CHECK(markdown.find("| `server.web[0]` | name | `\"web-0001\"` | `\"by-hand\"` | `\"web-0001\"` |") != std::string::npos);

  // [drift] ignore leaves matching findings out.
  dir.write("drift.toml", "[drift]\nignore = [\"server.*.name\", \"server.web[1]\"]\n");
  auto quiet = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(quiet, 0);
  dir.write("drift.toml", "[drift]\nignore = [\"server.web[1].name\"]\n");
  auto partly = run_cphform({"drift", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(partly, 2);
  CHECK(Json::parse(partly.out)["drift"].size() == 2);
  fs::remove(dir.path() / "drift.toml");

  // drift is read-only: the state is unchanged, and plan still sees the work.
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(plan.out.find("Plan: 1 to add, 1 to change, 0 to destroy.") != std::string::npos);

  SECTION("apply -refresh-only accepts the drift into state; its exit codes do not lie") {
    auto refresh_plan = run_cphform({"plan", "-refresh-only", "-detailed-exitcode"}, dir.path(), &emu);
    REQUIRE_RUN(refresh_plan, 2);
    CHECK(refresh_plan.out.find("~ name = \"web-0001\" -> \"by-hand\"") != std::string::npos);
    CHECK(refresh_plan.out.find("server.web[1] has been deleted") != std::string::npos);
    auto accept = run_cphform({"apply", "-refresh-only", "-auto-approve"}, dir.path(), &emu);
    REQUIRE_RUN(accept, 0);
    CHECK(emu.calls("PUT /v1/{project_id}/cloud-phone/servers/{server_id}") == 1);  // only the console's rename
    REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);
    auto again = run_cphform({"plan", "-refresh-only", "-detailed-exitcode"}, dir.path(), &emu);
    REQUIRE_RUN(again, 0);
    CHECK(again.out.find("No changes.") != std::string::npos);
    CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out == "server.web[0]\n");
    // The manifest still wins on the next normal plan.
    auto normal = run_cphform({"plan"}, dir.path(), &emu);
    CHECK(normal.out.find("Plan: 1 to add, 1 to change, 0 to destroy.") != std::string::npos);
  }
}

TEST_CASE("unmanaged servers are reported by name prefix", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  auto rm = run_cphform({"state", "rm", "server.web[1]"}, dir.path(), nullptr);
  REQUIRE_RUN(rm, 0);
  auto list = run_cphform({"state", "list"}, dir.path(), nullptr);
  CHECK(list.out == "server.web[0]\n");
  auto d = run_cphform({"drift", "-name-prefix=web-"}, dir.path(), &emu);
  REQUIRE_RUN(d, 2);
  CHECK(d.out.find("web-0002 (id ") != std::string::npos);
  auto mv = run_cphform({"state", "mv", "server.web[0]", "server.web[1]"}, dir.path(), nullptr);
  REQUIRE_RUN(mv, 0);
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out == "server.web[1]\n");
  auto show = run_cphform({"state", "show", "server.web[1]"}, dir.path(), nullptr);
  CHECK(show.out.find("name              = \"web-0001\"") != std::string::npos);
}

TEST_CASE("graph prints the execution graph as DOT", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 12));
  auto g = run_cphform({"graph"}, dir.path(), &emu);
  REQUIRE_RUN(g, 0);
  std::regex dot(R"(^digraph cphform \{\n  rankdir = LR;\n  node \[shape = box\];\n(  step\d+ \[label = "[^"]*"\];\n)+\}\n$)");
  CHECK(std::regex_match(g.out, dot));
  CHECK(g.out.find("step2 [label = \"purchase\\nserver.web[10]\\nserver.web[11]\"]") != std::string::npos);
}

TEST_CASE("a second writer waits for the lock, then fails naming the holder; force-unlock releases it", "[e2e]") {
  // A purchase takes 25 s of wall time: the first apply must still hold the
  // lock after the second has waited and force-unlock has run, even on a slow
  // (sanitized, loaded) CI machine. At 40x it once finished first.
  EmulatorProcess emu(12.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  auto first = start_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "first");
  for (int i = 0; i < 500 && emu.calls("POST /v2/{project_id}/cloud-phone/servers") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(emu.calls("POST /v2/{project_id}/cloud-phone/servers") == 1);

  auto start = std::chrono::steady_clock::now();
  auto second = run_cphform({"apply", "-auto-approve", "-lock-timeout=1s"}, dir.path(), &emu);
  auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_RUN(second, 1);
  CHECK(waited >= std::chrono::seconds(1));
  CHECK(second.err.find("the state is locked by") != std::string::npos);
  CHECK(second.err.find("pid " + std::to_string(first->pid())) != std::string::npos);
  CHECK(second.err.find("(apply,") != std::string::npos);

  std::smatch m;
  REQUIRE(std::regex_search(second.err, m, std::regex("lock id ([0-9a-f]+)")));
  auto wrong = run_cphform({"force-unlock", "-force", "0000"}, dir.path(), nullptr);
  CHECK(wrong.exit_code == 1);
  auto unlock = run_cphform({"force-unlock", "-force", m[1].str()}, dir.path(), nullptr);
  REQUIRE_RUN(unlock, 0);
  CHECK(unlock.out.find("unlocked") != std::string::npos);
  auto again = run_cphform({"force-unlock", "-force", m[1].str()}, dir.path(), nullptr);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("not locked") != std::string::npos);
  CHECK(first->wait() == 0);
}

TEST_CASE("-target buys only the targeted instance, with a warning; validate -json is offline", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  auto a = run_cphform({"apply", "-auto-approve", "-target=server.web[1]"}, dir.path(), &emu);
  REQUIRE_RUN(a, 0);
  CHECK(a.err.find("Warning: -target/-exclude narrow this plan") != std::string::npos);
  CHECK(emu.servers().size() == 1);
  CHECK(emu.servers()[0].server_name == "web-0002");
  auto rest = run_cphform({"plan", "-exclude=server.web[2]"}, dir.path(), &emu);
  CHECK(rest.out.find("Plan: 1 to add, 0 to change, 0 to destroy.") != std::string::npos);

  int64_t calls = emu.total_calls();
  auto ok = run_cphform({"validate", "-json"}, dir.path(), nullptr);
  REQUIRE_RUN(ok, 0);
  CHECK(Json::parse(ok.out) == Json{{"format_version", "1.0"}, {"valid", true}, {"error_count", 0},
                                    {"diagnostics", Json::array()}});
  dir.write("main.toml", server_manifest(emu.url(), "web", -1));
  auto bad = run_cphform({"validate", "-json"}, dir.path(), nullptr);
  REQUIRE_RUN(bad, 1);
  Json v = Json::parse(bad.out);
  CHECK(v["valid"] == false);
  CHECK(v["diagnostics"][0]["range"]["start"]["line"] == 6);
  CHECK(emu.total_calls() == calls);
}

TEST_CASE("import brings existing servers under management, one by one or by name prefix", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  auto servers = emu.servers();
  std::sort(servers.begin(), servers.end(), [](auto& a, auto& b) { return a.server_name < b.server_name; });
  REQUIRE_RUN(run_cphform({"state", "rm", "server.web[0]", "server.web[1]"}, dir.path(), nullptr), 0);

  auto undeclared = run_cphform({"import", "server.api", servers[0].server_id}, dir.path(), &emu);
  REQUIRE_RUN(undeclared, 1);
  CHECK(undeclared.err.find("declare server.api in the manifests") != std::string::npos);
  auto one = run_cphform({"import", "server.web[0]", servers[0].server_id}, dir.path(), &emu);
  REQUIRE_RUN(one, 0);
  auto twice = run_cphform({"import", "server.web[1]", servers[0].server_id}, dir.path(), &emu);
  REQUIRE_RUN(twice, 1);
  CHECK(twice.err.find("already managed as server.web[0]") != std::string::npos);
  // web[0] matches the manifest (its image_id etc. are taken from it); web[1] is missing.
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  CHECK(plan.out.find("Plan: 1 to add, 0 to change, 0 to destroy.") != std::string::npos);
  CHECK(plan.out.find("server.web[1] will be created") != std::string::npos);

  REQUIRE_RUN(run_cphform({"state", "rm", "server.web[0]"}, dir.path(), nullptr), 0);
  auto bulk = run_cphform({"import", "-filter", "name_prefix=web-"}, dir.path(), &emu);
  REQUIRE_RUN(bulk, 0);
  CHECK(bulk.out.find("[server.web]\nname              = \"web\"\ncount             = 2\n") != std::string::npos);
  // The image is read from the servers' phones (cph-api.md 5.1), not left to fill in.
  CHECK(bulk.out.find("image_id          = \"20060220200717f201120a2300000e91\"") != std::string::npos);
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out == "server.web[0]\nserver.web[1]\n");
  auto after = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(after, 0);
  CHECK(emu.calls("POST /v2/{project_id}/cloud-phone/servers") == 1);
}
