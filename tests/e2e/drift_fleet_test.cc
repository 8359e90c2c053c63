// Issue 6, end to end: a small fleet (servers with tags and a key pair on a
// shared bandwidth) applied to `cphform emulator serve`, then changed
// through the CPH API as a console user would; `cphform drift` must name
// the address, the attribute and both values in every format. Then the tag
// filters of `drift -tag` and `import -filter tag=KEY=VALUE`.
#include <chrono>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"
#include "tests/e2e/phone_console.h"

using namespace cph::e2e;
namespace cloud = cph::cloud;
using Json = nlohmann::json;

namespace {


// 2 + 1 servers, 1 shared bandwidth, 1 key pair.
std::string fleet(const std::string& endpoint) {
  std::string server = R"(
server_model      = "physical.rx1.xlarge"
phone_model       = "rx1.cp.c105.d6.e5v5"
image_id          = "20060220200717f201120a2300000e91"
vpc_id            = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id         = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
availability_zone = "cn-east-3a"
keypair           = "keypair.adb"
bandwidth         = "bandwidth.shared"
)";
  return "[provider]\nendpoint = \"" + endpoint + "\"\nregion   = \"cn-east-3\"\n" + R"(
[keypair.adb]
name       = "drift-adb"
public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl2fleetexamplekeyonlyforemulator drift@example"

[bandwidth.shared]
size        = 300
charge_mode = "bandwidth"

[server.web]
name              = "web"
count             = 2
tags              = { team = "platform", role = "web" }
)" + server + R"(
[server.build]
name              = "build"
tags              = { team = "platform", role = "build" }
)" + server;
}

const cloud::Server& server_named(const std::vector<cloud::Server>& servers, const std::string& name) {
  const cloud::Server* s = find_server(servers, name);
  if (!s) FAIL("no server named " << name);
  return *s;
}

// Waits (the emulator runs 100000x) until pred holds for the server list.
template <typename P>
void wait_until(const EmulatorProcess& emu, P pred) {
  for (int i = 0; i < 250; ++i) {
    if (pred(emu.servers())) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("the emulator never reached the expected state");
}

void add_tag(const EmulatorProcess& emu, const std::string& id, const std::string& key, const std::string& value) {
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    std::vector<cloud::Tag> tags = {cloud::Tag{key, value}};
    co_await c.create_server_tags(id, tags);
    co_return 0;
  });
}

// The text, JSON and markdown reports all show this one change (exit 2).
void check_drift(const TempDir& dir, const EmulatorProcess& emu, const std::string& address, const std::string& id,
                 const std::string& attribute, const Json& recorded, const Json& live, const std::string& text_line) {
  auto text = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(text, 2);
  CHECK(text.out.find(address + " (id " + id + "):\n") != std::string::npos);
  CHECK(text.out.find("  " + attribute + ": " + text_line) != std::string::npos);

  auto json = run_cphform({"drift", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(json, 2);
  Json r = Json::parse(json.out);
  CHECK(r["has_drift"] == true);
  const Json* found = nullptr;
  for (const Json& d : r["drift"])
    if (d["address"] == address) found = &d;
  REQUIRE(found != nullptr);
  CHECK((*found)["cloud_id"] == id);
  CHECK((*found)["deleted"] == false);
  bool change = false;
  for (const Json& c : (*found)["changes"])
    if (c["attribute"] == attribute) {
      change = true;
      CHECK(c["recorded"] == recorded);
      CHECK(c["live"] == live);
      CHECK(c["manifest"] == recorded);  // the manifest still asks for the recorded value
    }
  CHECK(change);

  auto md = run_cphform({"drift", "-format=markdown"}, dir.path(), &emu);
  REQUIRE_RUN(md, 2);
  CHECK(md.out.find("| `" + address + "` | " + attribute + " | ") != std::string::npos);
}

}  // namespace

TEST_CASE("drift reports tag, model, key pair, bandwidth and name changes made through the CPH API",
          "[e2e][drift-fleet]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("fleet.toml", fleet(emu.url()));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  auto none = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(none, 0);
  CHECK(none.out.find("No drift") != std::string::npos);
  auto none_json = run_cphform({"drift", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(none_json, 0);
  CHECK(Json::parse(none_json.out)["has_drift"] == false);

  auto servers = emu.servers();
  REQUIRE(servers.size() == 3);
  const std::string web0 = server_named(servers, "web-0001").server_id;
  const std::string web1 = server_named(servers, "web-0002").server_id;
  const std::string build = server_named(servers, "build").server_id;
  const Json web_tags = {{"role", "web"}, {"team", "platform"}};

  SECTION("a tag added (7.10)") {
    add_tag(emu, web0, "owner", "alice");
    Json now = web_tags;
    now["owner"] = "alice";
    check_drift(dir, emu, "server.web[0]", web0, "tags", web_tags, now,
                "recorded { role = \"web\", team = \"platform\" }, now { owner = \"alice\", role = \"web\", team = "
                "\"platform\" } (manifest: { role = \"web\", team = \"platform\" })");
  }
  SECTION("a tag deleted (7.11)") {
    console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
      std::vector<cloud::Tag> tags = {cloud::Tag{"role", ""}};
      co_await c.delete_server_tags(build, tags);
      co_return 0;
    });
    const Json build_tags = {{"role", "build"}, {"team", "platform"}};
    check_drift(dir, emu, "server.build", build, "tags", build_tags, Json{{"team", "platform"}},
                "recorded { role = \"build\", team = \"platform\" }, now { team = \"platform\" }");
  }
  SECTION("the server model changed (3.12)") {
    console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
      cloud::ChangeServerModelRequest request;
      request.server_id = build;
      request.server_model_name = "physical.rx1.xlarge.special";
      request.phone_model_name = "rx1.cp.sp.c105.d8.e5v5";
      co_await c.change_server_model(request);
      co_return 0;
    });
    wait_until(emu, [&](const std::vector<cloud::Server>& now) {
      return server_named(now, "build").server_model_name == "physical.rx1.xlarge.special";
    });
    check_drift(dir, emu, "server.build", build, "server_model", "physical.rx1.xlarge", "physical.rx1.xlarge.special",
                "recorded \"physical.rx1.xlarge\", now \"physical.rx1.xlarge.special\" (manifest: "
                "\"physical.rx1.xlarge\")");
    check_drift(dir, emu, "server.build", build, "phone_model", "rx1.cp.c105.d6.e5v5", "rx1.cp.sp.c105.d8.e5v5",
                "recorded \"rx1.cp.c105.d6.e5v5\", now \"rx1.cp.sp.c105.d8.e5v5\"");
  }
  SECTION("the key pair changed through open-access (6.3)") {
    std::string job = console<std::string>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<std::string> {
      std::optional<std::string> generated;
      co_await c.create_keypair("drift-ops", generated);
      std::vector<cloud::ServerKeypair> change = {cloud::ServerKeypair{web1, "drift-ops"}};
      cloud::JobsResult r = co_await c.change_keypairs(change);
      co_return r.jobs.empty() ? std::string() : r.jobs.front().job_id;
    });
    REQUIRE(!job.empty());
    bool done = false;
    for (int i = 0; i < 250 && !done; ++i) {
      cloud::Job j = console<cloud::Job>(emu, [&](cloud::CphClient& c) { return c.show_job(job); });
      done = j.finished();
      REQUIRE(j.status != -1);
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(done);
    check_drift(dir, emu, "server.web[1]", web1, "keypair", "drift-adb", "drift-ops",
                "recorded \"drift-adb\", now \"drift-ops\" (manifest: \"drift-adb\")");
  }
  SECTION("the shared bandwidth resized (4.2)") {
    std::string bw;
    for (const auto& b : emu.bandwidths())
      if (b.band_width_share_type == 1) bw = b.band_width_id;
    REQUIRE(!bw.empty());
    console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
      co_await c.resize_bandwidth(bw, 350);
      co_return 0;
    });
    check_drift(dir, emu, "bandwidth.shared", bw, "size", 300, 350, "recorded 300, now 350 (manifest: 300)");
  }
  SECTION("a server renamed (3.13)") {
    console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
      co_await c.rename_server(web1, "by-hand");
      co_return 0;
    });
    check_drift(dir, emu, "server.web[1]", web1, "name", "web-0002", "by-hand",
                "recorded \"web-0002\", now \"by-hand\" (manifest: \"web-0002\")");
  }
}

TEST_CASE("drift -tag reports unmanaged servers having every given tag", "[e2e][drift-fleet]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("fleet.toml", fleet(emu.url()));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  REQUIRE_RUN(run_cphform({"state", "rm", "server.web[1]", "server.build"}, dir.path(), nullptr), 0);
  auto servers = emu.servers();
  const std::string web1 = server_named(servers, "web-0002").server_id;
  const std::string build = server_named(servers, "build").server_id;
  auto unmanaged = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"drift", "-format=json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_cphform(argv, dir.path(), &emu);
    INFO(r.out << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 2));
    std::vector<std::string> names;
    const Json report = Json::parse(r.out);  // named: a range-for over a temporary's member dangles
    for (const Json& u : report["unmanaged"]) names.push_back(u["server_name"].get<std::string>());
    CHECK(r.exit_code == (names.empty() ? 0 : 2));
    return names;
  };
  using Names = std::vector<std::string>;
  CHECK(unmanaged({}) == Names{});  // no filter: unmanaged servers are not looked for
  CHECK(unmanaged({"-tag", "team=platform"}) == Names{"build", "web-0002"});
  CHECK(unmanaged({"-tag", "team=platform", "-tag=role=build"}) == Names{"build"});  // AND-ed
  CHECK(unmanaged({"-tag", "role=nothing"}) == Names{});
  CHECK(unmanaged({"-tag", "team=platform", "-name-prefix=web-"}) == Names{"web-0002"});

  auto text = run_cphform({"drift", "-tag", "role=build"}, dir.path(), &emu);
  REQUIRE_RUN(text, 2);
  CHECK(text.out.find("  build (id " + build + ", tags { role = \"build\", team = \"platform\" })") !=
        std::string::npos);
  auto json = run_cphform({"drift", "-format=json", "-tag", "role=web"}, dir.path(), &emu);
  REQUIRE_RUN(json, 2);
  CHECK(Json::parse(json.out)["unmanaged"][0] ==
        Json({{"server_id", web1}, {"server_name", "web-0002"}, {"status", 5},
              {"tags", {{"role", "web"}, {"team", "platform"}}}}));
  auto events = run_cphform({"drift", "-json", "-tag", "role=web"}, dir.path(), &emu);
  REQUIRE_RUN(events, 2);
  CHECK(events.out.find("\"type\":\"unmanaged_server\"") != std::string::npos);

  // A workspace whose state and manifests hold no server: refresh would not
  // read tags for its own needs, -tag makes it.
  TempDir other;
  other.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n");
  auto forced = run_cphform({"drift", "-format=json", "-tag", "role=build"}, other.path(), &emu);
  REQUIRE_RUN(forced, 2);
  CHECK(Json::parse(forced.out)["unmanaged"].size() == 1);

  auto bad = run_cphform({"drift", "-tag", "no-equals-sign"}, dir.path(), &emu);
  REQUIRE_RUN(bad, 1);
  CHECK(bad.err.find("-tag takes KEY=VALUE") != std::string::npos);
}

TEST_CASE("import -filter tag=KEY=VALUE imports the unmanaged servers with that tag, tags recorded",
          "[e2e][drift-fleet]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("fleet.toml", fleet(emu.url()));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  REQUIRE_RUN(run_cphform({"state", "rm", "server.web[0]", "server.web[1]"}, dir.path(), nullptr), 0);

  auto bad = run_cphform({"import", "-filter", "tag=novalue"}, dir.path(), &emu);
  REQUIRE_RUN(bad, 1);
  CHECK(bad.err.find("-filter takes name_prefix=PREFIX or tag=KEY=VALUE") != std::string::npos);
  auto nothing = run_cphform({"import", "-filter", "tag=role=nothing"}, dir.path(), &emu);
  REQUIRE_RUN(nothing, 0);
  CHECK(nothing.out.find("No unmanaged server has the tag role=nothing; nothing was imported.") != std::string::npos);

  auto imported = run_cphform({"import", "-filter", "tag=role=web"}, dir.path(), &emu);
  REQUIRE_RUN(imported, 0);
  CHECK(imported.out.find("[server.web]\nname              = \"web\"\ncount             = 2\n") != std::string::npos);
  CHECK(imported.out.find("keypair           = \"drift-adb\"\n") != std::string::npos);
  CHECK(imported.out.find("tags              = { role = \"web\", team = \"platform\" }\n") != std::string::npos);
  CHECK(imported.out.find("Imported 2 server(s) into the declared blocks.") != std::string::npos);
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out.find("server.web[0]\nserver.web[1]\n") !=
        std::string::npos);
  Json pulled = Json::parse(run_cphform({"state", "pull"}, dir.path(), nullptr).out);
  int with_tags = 0;
  for (const Json& r : pulled["resources"])
    if (r["address"] == "server.web[0]" || r["address"] == "server.web[1]")
      with_tags += r["attributes"]["tags"] == Json{{"role", "web"}, {"team", "platform"}};
  CHECK(with_tags == 2);
  // The managed build server is not imported again though it has team=platform.
  auto again = run_cphform({"import", "-filter", "tag=team=platform"}, dir.path(), &emu);
  REQUIRE_RUN(again, 0);
  CHECK(again.out.find("nothing was imported") != std::string::npos);

  REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);
  // Recorded tags make a later tag change drift.
  const std::string web0 = server_named(emu.servers(), "web-0001").server_id;
  add_tag(emu, web0, "owner", "bob");
  auto d = run_cphform({"drift", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(d, 2);
  Json r = Json::parse(d.out);
  REQUIRE(r["drift"].size() == 1);
  CHECK(r["drift"][0]["address"] == "server.web[0]");
  CHECK(r["drift"][0]["changes"][0]["attribute"] == "tags");
  CHECK(r["drift"][0]["changes"][0]["live"]["owner"] == "bob");
}
