// Several provider instances in one plan (issue 13): each row is refreshed
// against its owner's inventory, a block moved to another instance is a
// replacement whose release and purchase run on different instances, and
// rows written before rows named their provider stay where they are.
#include <catch2/catch.hpp>

#include "planner/planner.h"
#include "planner/render.h"
#include "planner/test_servers.h"
#include "resources/cph/cph_provider.h"
#include "resources/cph/server.h"

using namespace cph;
using namespace cph::planner;
using namespace cph::planner::testing;
using Json = nlohmann::json;

namespace {

// server.web (no count) owned by `provider`, with instances east and south declared.
manifest::Manifest two_providers(const std::string& provider) {
  manifest::Manifest m;
  for (const char* name : {"east", "south"}) {
    manifest::ProviderConfig p;
    p.name = name;
    p.type = "cph";
    m.providers.push_back(p);
  }
  m.provider = m.providers[0];
  manifest::ResourceConfig rc;
  rc.type = "server";
  rc.name = "web";
  rc.attributes = base_attributes("web");
  rc.provider = provider;
  m.resources.push_back(rc);
  m.digest = "d";
  return m;
}

// The two clouds: server "id-1" named web lives in `where`'s.
struct Clouds {
  resources::CphInventory east, south;
  state::ResourceRow row;
  explicit Clouds(const std::string& where, const std::string& recorded_provider) {
    cloud::Server s = live_server("id-1", "web");
    (where == "east" ? east : south).servers["id-1"] = s;
    row = {"server.web", "server", "id-1", resources::server_refreshed_attributes(base_attributes("web"), s), {}, "",
           recorded_provider};
  }
  Plan plan(const manifest::Manifest& m) const {
    PlanInput in;
    in.manifest = &m;
    in.rows = {row};
    in.live = &east;  // the default instance
    in.inventories = {{"east", &east}, {"south", &south}};
    return make_plan(in);
  }
};

}  // namespace

TEST_CASE("owners: a row is refreshed against its own provider's cloud", "[planner][providers]") {
  manifest::Manifest m = two_providers("south");
  Clouds c("south", "south");
  Plan p = c.plan(m);
  CHECK(p.actions.empty());
  CHECK(p.drift.empty());
  CHECK(p.vanished.empty());
  // Gone from south's cloud (east's still has nothing of it): drift names south.
  Clouds gone("east", "south");
  Plan q = gone.plan(m);
  REQUIRE(q.drift.size() == 1);
  CHECK(q.drift[0].deleted);
  CHECK(q.drift[0].provider == "south");
  CHECK_THAT(render_drift(q), Catch::Contains("server.web has been deleted (id id-1, provider.south)"));
}

TEST_CASE("owners: a block moved to another provider is replaced across them", "[planner][providers]") {
  manifest::Manifest m = two_providers("east");
  Clouds c("south", "south");
  Plan p = c.plan(m);
  REQUIRE(p.actions.size() == 1);
  const Action& a = p.actions[0];
  CHECK(a.kind == ActionKind::replace);
  CHECK(a.provider == "east");
  CHECK(a.prior_provider == "south");
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].name == "provider");
  CHECK(a.changes[0].before == "provider.south");
  CHECK(a.changes[0].after == "provider.east");
  CHECK(a.changes[0].forces_replacement);
  REQUIRE(p.steps.size() == 2);
  for (const Step& s : p.steps)
    CHECK(s.provider == (s.operation == "unsubscribe" ? "south" : "east"));
  CHECK(render_summary(p) == "Plan: 1 to add, 0 to change, 1 to destroy.");
}

TEST_CASE("owners: rows from before named providers stay with the block's provider", "[planner][providers]") {
  // No instance is named after the type: a "" row belongs to the block's.
  manifest::Manifest m = two_providers("south");
  Clouds c("south", "");
  Plan p = c.plan(m);
  CHECK(p.actions.empty());
  CHECK(p.vanished.empty());
  CHECK(recorded_provider("south", "server") == "south");
  CHECK(recorded_provider("cph", "server.web[0]").empty());
}
