// Named providers end to end (issue 13): two CPH provider instances, each a
// project of its own emulator, in one configuration. Plan and apply make
// each block's servers in its own cloud only; the state records the owner
// of every row; drift in one cloud is reported for that provider only;
// moving a block to the other provider is a replacement; unmanaged servers
// are looked for in every provider's cloud.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "tests/e2e/harness.h"

using namespace cph;
using namespace cph::e2e;

namespace {

const std::string kEastProject = "e0000000000000000000000000000001";
const std::string kSouthProject = "50000000000000000000000000000002";

std::string provider_table(const std::string& name, const EmulatorProcess& emu, const std::string& project) {
  return "[provider." + name + "]\ntype = \"cph\"\nendpoint = \"" + emu.url() + "\"\nregion = \"cn-east-3\"\n" +
         "project_id = \"" + project + "\"\n\n";
}

// server_block with `provider = "provider.NAME"` under its header; the
// servers are named after the block unless `name` is given.
std::string owned_block(const std::string& block, int count, const std::string& provider, std::string name = "") {
  std::string text = server_block(block, name.empty() ? block : name, count);
  return text.insert(text.find('\n') + 1, "provider = \"provider." + provider + "\"\n") + "\n";
}

std::set<std::string> names(const std::vector<cloud::Server>& servers) {
  std::set<std::string> out;
  for (const cloud::Server& s : servers) out.insert(s.server_name);
  return out;
}

// Runs one console call against `emu` as its own project.
void rename_by_hand(const EmulatorProcess& emu, const std::string& server_id, const std::string& name) {
  run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<int> {
    cloud::Endpoints ep{cloud::parse_url(emu.url()), cloud::parse_url(emu.url())};
    cloud::CphClient client(ex, ep, emu.credentials());
    co_await client.rename_server(server_id, name);
    co_return 0;
  });
}

// Two clouds, and a workspace whose blocks fleet-east (east) and
// fleet-south (south, `south_count` servers) are applied.
struct FleetInTwoClouds {
  EmulatorProcess east{1000.0, {}, kEastProject};
  EmulatorProcess south{1000.0, {}, kSouthProject};
  TempDir dir;
  const std::string providers = provider_table("east", east, kEastProject) + provider_table("south", south, kSouthProject);

  explicit FleetInTwoClouds(int south_count) {
    dir.write("main.toml", providers + owned_block("east", 1, "east", "fleet-east") +
                               owned_block("south", south_count, "south", "fleet-south"));
    REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-no-color"}, dir.path(), &east), 0);
  }
};

}  // namespace

TEST_CASE("two CPH providers: each cloud gets its own servers, drift names its provider", "[e2e][providers]") {
  EmulatorProcess east(1000.0, {}, kEastProject);
  EmulatorProcess south(1000.0, {}, kSouthProject);
  TempDir dir;
  const std::string providers = provider_table("east", east, kEastProject) + provider_table("south", south, kSouthProject);
  dir.write("main.toml", providers + owned_block("east", 2, "east") + owned_block("south", 1, "south"));

  // HW_* credentials are east's; south's project comes from its table (same keys, another project).
  RunResult plan = run_cphform({"plan", "-no-color"}, dir.path(), &east);
  REQUIRE_RUN(plan, 0);
  CHECK_THAT(plan.out, Catch::Contains("provider.east: 0 servers") && Catch::Contains("provider.south: 0 servers"));
  CHECK_THAT(plan.out, Catch::Contains("Plan: 3 to add, 0 to change, 0 to destroy"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-no-color"}, dir.path(), &east), 0);

  CHECK(names(east.servers()) == std::set<std::string>{"east-0001", "east-0002"});
  CHECK(names(south.servers()) == std::set<std::string>{"south-0001"});

  RunResult list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(list.out == "server.east[0]\tprovider.east\nserver.east[1]\tprovider.east\nserver.south[0]\tprovider.south\n");

  // Nothing left to do: every row refreshed against its own cloud.
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode", "-no-color"}, dir.path(), &east), 0);

  // A rename by hand in south's cloud: drift there, none in east's.
  rename_by_hand(south, south.servers().at(0).server_id, "by-hand");
  RunResult drift = run_cphform({"drift", "-format=json"}, dir.path(), &east);
  REQUIRE_RUN(drift, 2);
  nlohmann::json report = nlohmann::json::parse(drift.out);
  REQUIRE(report["drift"].size() == 1);
  CHECK(report["drift"][0]["address"] == "server.south[0]");
  CHECK(report["drift"][0]["provider"] == "south");
  CHECK(report["drift"][0]["region"] == "cn-east-3");
  RunResult text = run_cphform({"drift"}, dir.path(), &east);
  CHECK_THAT(text.out, Catch::Contains("server.south[0] (id " + south.servers().at(0).server_id +
                                       ", provider.south in cn-east-3)"));
  CHECK(text.out.find("server.east") == std::string::npos);

  // The rename is put back in south's cloud only; then nothing to do.
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-no-color"}, dir.path(), &east), 0);
  CHECK(names(south.servers()) == std::set<std::string>{"south-0001"});
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode", "-no-color"}, dir.path(), &east), 0);

  // server.south moves to east: a replacement, made in east and released in south.
  dir.write("main.toml", providers + owned_block("east", 2, "east") + owned_block("south", 1, "east"));
  RunResult move = run_cphform({"plan", "-no-color"}, dir.path(), &east);
  REQUIRE_RUN(move, 0);
  CHECK_THAT(move.out, Catch::Contains("server.south[0] must be replaced"));
  CHECK_THAT(move.out, Catch::Contains("provider.south") && Catch::Contains("provider.east") &&
                           Catch::Contains("# forces replacement"));
  CHECK_THAT(move.out, Catch::Contains("Plan: 1 to add, 0 to change, 1 to destroy"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-no-color"}, dir.path(), &east), 0);
  CHECK(names(east.servers()) == std::set<std::string>{"east-0001", "east-0002", "south-0001"});
  CHECK(south.servers().empty());
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out ==
        "server.east[0]\tprovider.east\nserver.east[1]\tprovider.east\nserver.south[0]\tprovider.east\n");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode", "-no-color"}, dir.path(), &east), 0);
}

TEST_CASE("drift looks for unmanaged servers in every provider's cloud and names the provider", "[e2e][providers]") {
  FleetInTwoClouds fleet(1);
  const TempDir& dir = fleet.dir;
  EmulatorProcess& east = fleet.east;
  EmulatorProcess& south = fleet.south;
  // Forgotten by the state, both servers stay in their clouds, unmanaged.
  REQUIRE_RUN(run_cphform({"state", "rm", "server.east", "server.south"}, dir.path(), nullptr), 0);

  RunResult drift = run_cphform({"drift", "-format=json", "-name-prefix=fleet-"}, dir.path(), &east);
  REQUIRE_RUN(drift, 2);
  std::map<std::string, std::string> owner;
  const nlohmann::json report = nlohmann::json::parse(drift.out);
  for (const nlohmann::json& u : report["unmanaged"]) {
    owner[u["server_name"].get<std::string>()] = u.value("provider", "");
    CHECK(u.value("region", "") == "cn-east-3");
  }
  CHECK(owner == std::map<std::string, std::string>{{"fleet-east-0001", "east"}, {"fleet-south-0001", "south"}});
  RunResult text = run_cphform({"drift", "-name-prefix=fleet-"}, dir.path(), &east);
  CHECK_THAT(text.out, Catch::Contains("fleet-south-0001 (id " + south.servers().at(0).server_id +
                                       ", provider.south in cn-east-3)"));
  CHECK_THAT(text.out, Catch::Contains("2 unmanaged server(s) found"));
}

TEST_CASE("import -filter -provider takes unmanaged servers from that provider's cloud", "[e2e][providers]") {
  FleetInTwoClouds fleet(2);
  const TempDir& dir = fleet.dir;
  EmulatorProcess& east = fleet.east;
  EmulatorProcess& south = fleet.south;
  const std::string& providers = fleet.providers;
  // The south block leaves the manifests and the state: its servers stay
  // in south's cloud, unmanaged.
  dir.write("main.toml", providers + owned_block("east", 1, "east", "fleet-east"));
  REQUIRE_RUN(run_cphform({"state", "rm", "server.south"}, dir.path(), nullptr), 0);

  // Not in east's cloud (the default): nothing to import there.
  RunResult none = run_cphform({"import", "-filter", "name_prefix=fleet-south"}, dir.path(), &east);
  REQUIRE_RUN(none, 0);
  CHECK_THAT(none.out, Catch::Contains("nothing was imported"));
  RunResult unknown = run_cphform({"import", "-filter", "name_prefix=fleet-south", "-provider", "west"}, dir.path(), &east);
  REQUIRE_RUN(unknown, 1);
  CHECK_THAT(unknown.err, Catch::Contains("no [provider.west] (they declare: east, south)"));

  RunResult imported = run_cphform({"import", "-filter", "name_prefix=fleet-south", "-provider", "south",
                                    "-generate-config-out=south.toml"}, dir.path(), &east);
  REQUIRE_RUN(imported, 0);
  std::ifstream generated(dir.path() / "south.toml");
  const std::string blocks((std::istreambuf_iterator<char>(generated)), std::istreambuf_iterator<char>());
  CHECK_THAT(blocks, Catch::Contains("[server.fleet-south]\nprovider = \"provider.south\"\n"));
  RunResult list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK_THAT(list.out, Catch::Contains("server.fleet-south[1]\tprovider.south\n"));
  // The generated block and the rows describe south's servers as they are.
  RunResult plan = run_cphform({"plan", "-detailed-exitcode", "-no-color"}, dir.path(), &east);
  REQUIRE_RUN(plan, 0);
  CHECK_THAT(plan.out, Catch::Contains("No changes"));
  CHECK(south.servers().size() == 2);
  CHECK(east.servers().size() == 1);
}
