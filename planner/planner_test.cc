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
// These tests plan CPH resources: the inventory is the CPH provider's.
using Inventory = resources::CphInventory;

namespace {

manifest::Manifest one_block(const std::string& name, std::optional<int> count, Json attrs = Json()) {
  manifest::Manifest m;
  manifest::ResourceConfig rc;
  rc.type = "server";
  rc.name = "web";
  rc.count = count;
  rc.attributes = attrs.is_null() ? base_attributes(name) : attrs;
  m.resources.push_back(rc);
  m.digest = "d";
  return m;
}

// Recorded state + live inventory for instances web-0001.. of server.web.
struct World {
  std::vector<state::ResourceRow> rows;
  Inventory live;
  void add(int index, const std::string& base = "web") {
    std::string id = "srv" + std::to_string(index);
    std::string name = resources::server_instance_name(base, true, index);
    live.servers[id] = live_server(id, name);
    rows.push_back({"server.web[" + std::to_string(index) + "]", "server", id,
                    resources::server_refreshed_attributes(base_attributes(name), live.servers[id]), {}, ""});
  }
};

Plan plan_for(const manifest::Manifest* m, const World& w, std::vector<state::JournalEntry> journal = {},
              bool destroy = false) {
  PlanInput in;
  in.manifest = m;
  in.rows = w.rows;
  in.live = &w.live;
  in.open_journal = std::move(journal);
  in.destroy = destroy;
  return make_plan(in);
}

}  // namespace

TEST_CASE("an empty state with count=2 plans one order of two creates") {
  auto m = one_block("web", 2);
  World w;
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 2);
  CHECK(p.actions[0].address == "server.web[0]");
  CHECK(p.actions[0].after["name"] == "web-0001");
  CHECK(p.actions[1].after["name"] == "web-0002");
  CHECK(p.actions[0].block_name == "web");
  REQUIRE(p.steps.size() == 1);
  CHECK(p.steps[0].operation == "purchase");
  CHECK(p.steps[0].actions.size() == 2);
  CHECK(render_summary(p) == "Plan: 2 to add, 0 to change, 0 to destroy.");
}

TEST_CASE("orders hold at most 10 servers, in index order") {
  auto m = one_block("web", 12);
  World w;
  Plan p = plan_for(&m, w);
  REQUIRE(p.steps.size() == 2);
  CHECK(p.steps[0].actions.size() == 10);
  CHECK(p.steps[1].actions.size() == 2);
  CHECK(p.actions[p.steps[1].actions[0]].index == 10);
}

TEST_CASE("matching state and cloud plan no changes") {
  auto m = one_block("web", 2);
  World w;
  w.add(0);
  w.add(1);
  Plan p = plan_for(&m, w);
  CHECK(p.actions.empty());
  CHECK_FALSE(p.has_changes());
  CHECK(render_summary(p) == "No changes. Your infrastructure matches the configuration.");
}

TEST_CASE("a name change is an in-place update of each instance") {
  auto m = one_block("api", 2);
  World w;
  w.add(0);
  w.add(1);
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 2);
  for (const Action& a : p.actions) {
    CHECK(a.kind == ActionKind::update);
    REQUIRE(a.changes.size() == 1);
    CHECK(a.changes[0].name == "name");
    CHECK_FALSE(a.changes[0].forces_replacement);
  }
  CHECK(p.steps.size() == 2);
  CHECK(p.steps[0].operation == "rename");
  CHECK(render_summary(p) == "Plan: 0 to add, 2 to change, 0 to destroy.");
  CHECK(render_plan(p).find("~ name = \"web-0001\" -> \"api-0001\"") != std::string::npos);
}

TEST_CASE("a name changed in the console is planned back") {
  auto m = one_block("web", 1);
  World w;
  w.add(0);
  w.live.servers["srv0"].server_name = "renamed-by-hand";
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].changes[0].before == "renamed-by-hand");
}

TEST_CASE("lowering count releases the highest indexes") {
  auto m = one_block("web", 1);
  World w;
  w.add(0);
  w.add(1);
  w.add(2);
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 2);
  CHECK(p.actions[0].address == "server.web[1]");
  CHECK(p.actions[0].kind == ActionKind::remove);
  CHECK(p.actions[0].reason == "count is now 1");
  REQUIRE(p.steps.size() == 1);
  CHECK(p.steps[0].operation == "unsubscribe");
  CHECK(render_summary(p) == "Plan: 0 to add, 0 to change, 2 to destroy.");
}

TEST_CASE("a force-new attribute replaces: release first, then buy") {
  Json attrs = base_attributes("web");
  attrs["vpc_id"] = "9a11e291-967f-4dd6-99bd-9be54f10583c";
  auto m = one_block("web", 1, attrs);
  World w;
  w.add(0);
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::replace);
  REQUIRE(p.steps.size() == 2);
  CHECK(p.steps[0].operation == "unsubscribe");
  CHECK(p.steps[1].operation == "purchase");
  CHECK(p.steps[1].after == std::vector<size_t>{0});
  CHECK(render_plan(p).find("# forces replacement") != std::string::npos);
  CHECK(render_summary(p) == "Plan: 1 to add, 0 to change, 1 to destroy.");
}

TEST_CASE("an unset optional+computed attribute keeps what the cloud chose") {
  Json attrs = base_attributes("web");
  attrs.erase("availability_zone");
  auto m = one_block("web", 1, attrs);
  World w;
  w.add(0);
  CHECK(plan_for(&m, w).actions.empty());
}

TEST_CASE("a recorded server that vanished is noted and bought again") {
  auto m = one_block("web", 1);
  World w;
  w.add(0);
  w.live.servers.clear();
  Plan p = plan_for(&m, w);
  CHECK(p.vanished == std::vector<std::string>{"server.web[0]"});
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::create);
  CHECK(p.actions[0].reason == "the recorded server no longer exists in the cloud");
}

TEST_CASE("destroy plans every recorded instance for release") {
  auto m = one_block("web", 2);
  World w;
  w.add(0);
  w.add(1);
  Plan p = plan_for(&m, w, {}, true);
  CHECK(p.count(ActionKind::remove) == 2);
  CHECK(render_summary(p) == "Plan: 0 to add, 0 to change, 2 to destroy.");
}

namespace {
state::JournalEntry purchase_entry(bool answered, const std::vector<std::string>& ids) {
  state::JournalEntry e;
  e.id = 7;
  e.operation = "purchase";
  e.address = "server.web[0]..server.web[1]";
  Json instances = Json::array();
  for (int i = 0; i < 2; ++i) {
    std::string name = resources::server_instance_name("web", true, i);
    instances.push_back({{"address", "server.web[" + std::to_string(i) + "]"}, {"name", name},
                         {"attributes", base_attributes(name)}});
  }
  e.intent = {{"instances", instances}, {"service_names", {"web-0001", "web-0002"}}, {"block_name", "web"}};
  if (answered) {
    e.status = state::JournalStatus::answered;
    e.response = {{"order_id", "CS1"}, {"server_ids", ids}};
  }
  return e;
}
}  // namespace

TEST_CASE("an answered purchase in the journal is resumed, never bought again") {
  auto m = one_block("web", 2);
  World w;
  w.live.servers["a"] = live_server("a", "web-0001");
  w.live.servers["b"] = live_server("b", "web-0002");
  w.live.servers["a"].status = 1;
  Plan p = plan_for(&m, w, {purchase_entry(true, {"a", "b"})});
  REQUIRE(p.pending.size() == 1);
  CHECK(p.pending[0].resolution == "resume_purchase");
  CHECK(p.actions.empty());
  CHECK(p.has_changes());
  CHECK(render_plan(p).find("resuming: purchase of server.web[0]..server.web[1] (order CS1)") != std::string::npos);
}

TEST_CASE("an unanswered purchase is reconciled by the names it would have made") {
  auto m = one_block("web", 2);
  SECTION("servers found: adopted") {
    World w;
    w.live.servers["a"] = live_server("a", "web-0001");
    w.live.servers["b"] = live_server("b", "web-0002");
    Plan p = plan_for(&m, w, {purchase_entry(false, {})});
    REQUIRE(p.pending.size() == 1);
    CHECK(p.pending[0].resolution == "adopt_purchase");
    CHECK(p.pending[0].response["server_ids"].size() == 2);
    CHECK(p.actions.empty());
  }
  SECTION("servers not found: not placed, bought by this plan") {
    World w;
    Plan p = plan_for(&m, w, {purchase_entry(false, {})});
    REQUIRE(p.pending.size() == 1);
    CHECK(p.pending[0].resolution == "purchase_not_placed");
    CHECK(p.count(ActionKind::create) == 2);
  }
  SECTION("servers already recorded in state are not adopted twice") {
    World w;
    w.add(0);
    w.add(1);
    Plan p = plan_for(&m, w, {purchase_entry(false, {})});
    CHECK(p.pending[0].resolution == "purchase_not_placed");
  }
}

TEST_CASE("-target and -exclude narrow the plan to matching instances") {
  auto m = one_block("web", 3);
  World w;
  PlanInput in;
  in.manifest = &m;
  in.live = &w.live;
  in.targets = {"server.web[1]"};
  Plan p = make_plan(in);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].address == "server.web[1]");
  in.targets = {"server.web"};
  in.excludes = {"server.web[0]"};
  p = make_plan(in);
  REQUIRE(p.actions.size() == 2);
  CHECK(p.actions[0].address == "server.web[1]");
  CHECK(address_matches("server.web[10]", "server.web"));
  CHECK_FALSE(address_matches("server.webx", "server.web"));
  CHECK_FALSE(address_matches("server.web[1]", "server.web[10]"));
}

TEST_CASE("attributes an imported server never recorded are unknown, not changes") {
  auto m = one_block("web", 1);
  World w;
  w.add(0);
  for (const char* unreadable : {"image_id", "bandwidth", "eip_type", "period", "ports"}) w.rows[0].attributes.erase(unreadable);
  CHECK(plan_for(&m, w).actions.empty());
  w.rows[0].attributes["image_id"] = "another-image";  // recorded and different: a real change
  auto p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::switch_phones);  // a new image goes through the switch API (3.6)
}

TEST_CASE("compact_addresses shortens runs of one block's instances", "[planner]") {
  using cph::planner::compact_addresses;
  CHECK(compact_addresses({}) == "");
  CHECK(compact_addresses({"server.web[2]", "server.db", "server.web[0]", "server.web[1]", "server.web[5]"}) ==
        "server.db, server.web[0..2], server.web[5]");
  CHECK(compact_addresses({"server.a[0]", "server.b[1]"}) == "server.a[0], server.b[1]");
}

TEST_CASE("a period change applies to new orders: a state-only update, never a replacement") {
  Json attrs = base_attributes("web");
  attrs["period"]["auto_renew"] = true;
  auto m = one_block("web", 1, attrs);
  World w;
  w.add(0);
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::update);
  CHECK(p.actions[0].operations == std::vector<std::string>{"record"});
  REQUIRE(p.actions[0].changes.size() == 1);
  CHECK(p.actions[0].changes[0].next_order);
  CHECK_FALSE(p.actions[0].changes[0].forces_replacement);
  REQUIRE(p.steps.size() == 1);
  CHECK(p.steps[0].operation == "record");
  CHECK(render_plan(p).find("# applies to new orders and renewals only") != std::string::npos);
}

TEST_CASE("-replace plans a replacement without any change, and must name a recorded, declared instance") {
  auto m = one_block("web", 2);
  World w;
  w.add(0);
  w.add(1);
  PlanInput in;
  in.manifest = &m;
  in.rows = w.rows;
  in.live = &w.live;
  in.replace = {"server.web[1]"};
  Plan p = make_plan(in);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].address == "server.web[1]");
  CHECK(p.actions[0].kind == ActionKind::replace);
  CHECK(p.actions[0].replace_requested);
  in.replace = {"server.web[2]"};
  CHECK_THROWS_AS(make_plan(in), PlanError);
}

TEST_CASE("a requested operation must be one its type lists, and comes alone") {
  auto m = one_block("web", 2);
  World w;
  w.add(0);
  w.add(1);
  PlanInput in;
  in.manifest = &m;
  in.rows = w.rows;
  in.live = &w.live;
  in.requests = {{"restart", "server.web[1]"}};
  try {
    make_plan(in);
    FAIL("a server has no requested operations");
  } catch (const PlanError& e) {
    REQUIRE(e.problems.size() == 1);
    CHECK(e.problems[0] == "restart server.web[1]: a server block has no \"restart\" operation");
  }
  in.requests = {{"restart", "server.web[7]"}};
  in.replace = {"server.web[0]"};
  try {
    make_plan(in);
    FAIL("an unknown instance, and -replace with a request");
  } catch (const PlanError& e) {
    REQUIRE(e.problems.size() == 2);
    CHECK(e.problems[0].find("restart server.web[7]: no resource of that address") == 0);
    CHECK(e.problems[1].find("-replace cannot be combined with a requested operation") == 0);
  }
}

TEST_CASE("tags added by hand to a row without tags are drift, unless ignore_changes names tags") {
  Json attrs = base_attributes("web");
  auto m = one_block("web", 1, attrs);
  World w;
  w.add(0);
  w.live.read_tags = true;
  w.live.server_tags["srv0"] = Json{{"owner", "bob"}};
  Plan p = plan_for(&m, w);
  REQUIRE(p.drift.size() == 1);
  CHECK(p.drift[0].changes[0].name == "tags");
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].operations == std::vector<std::string>{"tags"});
  m.resources[0].lifecycle.ignore_changes = {"tags"};
  Plan ignored = plan_for(&m, w);
  CHECK(ignored.drift.empty());
  CHECK(ignored.actions.empty());
}

namespace {

// An Inventory that is not CPH's: make_plan must learn everything about the
// cloud through the interface (resources/provider.h), nothing else.
struct ScriptedInventory : resources::Inventory {
  std::map<std::string, Json> live;  // cloud id -> live attributes
  mutable std::vector<std::string> asked;
  bool reads(const std::string&) const override { return true; }
  std::optional<Json> refreshed(const std::string&, const std::string& id, const Json& recorded,
                                resources::Overlay) const override {
    asked.push_back(id);
    auto found = live.find(id);
    if (found == live.end()) return std::nullopt;
    Json out = recorded;
    out.update(found->second);
    return out;
  }
  std::optional<resources::FoundObject> find_created(const std::string&, const std::set<std::string>& names,
                                                     const std::set<std::string>& claimed, const Json& asked_for) const override {
    for (const auto& [id, attrs] : live)
      if (!claimed.count(id) && names.count(attrs.value("name", "")))
        return resources::FoundObject{id, "order-of-" + id, asked_for};
    return std::nullopt;
  }
  size_t size() const override { return live.size(); }
  std::string noun() const override { return "objects"; }
  Json unmanaged(const std::set<std::string>&, const resources::UnmanagedFilter&) const override {
    return Json::array();
  }
};

}  // namespace

TEST_CASE("make_plan reads the cloud only through the provider's Inventory") {
  auto m = one_block("web", 3);
  std::vector<state::ResourceRow> rows;
  for (int i = 0; i < 3; ++i)
    rows.push_back({"server.web[" + std::to_string(i) + "]", "server", "id" + std::to_string(i),
                    base_attributes(resources::server_instance_name("web", true, i)), {}, ""});
  ScriptedInventory live;
  live.live["id0"] = {{"name", "web-0001"}};
  live.live["id1"] = {{"name", "renamed-by-hand"}};  // id2 is gone
  PlanInput in;
  in.manifest = &m;
  in.rows = rows;
  in.live = &live;
  Plan p = make_plan(in);
  CHECK(live.asked == std::vector<std::string>{"id0", "id1", "id2"});
  CHECK(p.vanished == std::vector<std::string>{"server.web[2]"});
  REQUIRE(p.drift.size() == 2);
  CHECK(p.drift[0].address == "server.web[1]");
  CHECK(p.drift[0].changes.at(0).after == "renamed-by-hand");
  CHECK(p.drift[1].deleted);
  CHECK(p.count(ActionKind::update) == 1);  // renamed back
  CHECK(p.count(ActionKind::create) == 1);  // bought again

  SECTION("an interrupted purchase is reconciled with what find_created reports") {
    state::JournalEntry e;
    e.id = 1;
    e.address = "server.web[2]";
    e.operation = "purchase";
    e.intent = {{"instances", Json::array({{{"address", "server.web[2]"}, {"name", "web-0003"},
                                             {"attributes", base_attributes("web-0003")}}})}};
    in.rows.pop_back();
    live.live["new"] = {{"name", "web-0003"}};
    in.open_journal = {e};
    Plan q = make_plan(in);
    REQUIRE(q.pending.size() == 1);
    CHECK(q.pending[0].resolution == "adopt_purchase");
    CHECK(q.pending[0].response["server_ids"] == Json::array({"new"}));
    CHECK(q.pending[0].response["order_id"] == "order-of-new");
    CHECK(q.count(ActionKind::create) == 0);
  }
}

TEST_CASE("address_less orders instances by number and never throws on a damaged address") {
  std::vector<std::string> a = {"server.game[10]", "server.game[2]", "bandwidth.b", "server.game", "server.game[x]",
                                "server.game[]", "server.game[99999999999999999999]", "server.game[1]"};
  std::sort(a.begin(), a.end(), address_less);
  // Damaged ones sort by their text, after the block's numbered instances.
  CHECK(a == std::vector<std::string>{"bandwidth.b", "server.game", "server.game[1]", "server.game[2]",
                                      "server.game[10]", "server.game[99999999999999999999]", "server.game[]",
                                      "server.game[x]"});
}

TEST_CASE("address_parts cuts an address into block and index, and keeps a damaged one whole") {
  auto parts = [](std::string_view a) {
    const AddressParts p = address_parts(a);
    return std::pair<std::string, int>(std::string(p.block), p.index);
  };
  CHECK(parts("server.web[3]") == std::pair<std::string, int>("server.web", 3));
  CHECK(parts("server.web[0]") == std::pair<std::string, int>("server.web", 0));
  CHECK(parts("server.web[999999999]") == std::pair<std::string, int>("server.web", 999999999));
  CHECK(parts("server.web") == std::pair<std::string, int>("server.web", -1));
  for (const char* damaged : {"server.web[]", "server.web[x]", "server.web[-1]", "server.web[1234567890]",
                              "server.web[3", "server.web3]", "", "[", "]", "[]"})
    CHECK(parts(damaged) == std::pair<std::string, int>(damaged, -1));
  CHECK(compact_addresses({"server.web[2]", "server.web[0]", "server.web[1]", "server.db", "server.web[x]"}) ==
        "server.db, server.web[0..2], server.web[x]");
}

// Issue 14: a [phones] row against its phones as refreshed (CphInventory).
TEST_CASE("a phone stopped or renamed outside cphform is drift and plans one configure_phones step") {
  auto m = one_block("web", 1);
  manifest::ResourceConfig phones;
  phones.type = "phones";
  phones.name = "p";
  phones.attributes = {{"servers", {"server.web"}}, {"name", "web-${phone.number}"}, {"power", "running"}};
  m.resources.push_back(phones);
  World w;
  w.add(0);
  Json recorded = {{"servers", {"server.web[0]"}},
                   {"name", "web-${phone.number}"},
                   {"power", "running"},
                   {"server_ids", {{"server.web[0]", "srv0"}}}};
  w.rows.push_back({"phones.p", "phones", "phones.p", recorded, {}, ""});
  w.live.read_phones = true;
  auto phone = [](std::string id, std::string name, int status) {
    cloud::Phone p;
    p.phone_id = std::move(id);
    p.phone_name = std::move(name);
    p.server_id = "srv0";
    p.status = status;
    return p;
  };
  w.live.phones["srv0"] = {phone("a", "web-0001", 2), phone("b", "web-0002", 2)};
  Plan same = plan_for(&m, w);
  CHECK(same.actions.empty());
  CHECK(same.drift.empty());

  w.live.phones["srv0"][1] = phone("b", "by-hand", 8);
  Plan p = plan_for(&m, w);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].address == "phones.p");
  CHECK(p.actions[0].kind == ActionKind::update);
  // Operations the planner does not order itself are kept, after its own.
  CHECK(p.actions[0].operations == std::vector<std::string>{"power", "rename_phones"});
  REQUIRE(p.steps.size() == 1);
  CHECK(p.steps[0].operation == "configure_phones");
  REQUIRE(p.drift.size() == 1);
  CHECK(p.drift[0].address == "phones.p");
  REQUIRE(p.drift[0].changes.size() == 2);
  CHECK(p.drift[0].changes[0].name == "name");
  CHECK(p.drift[0].changes[0].after ==
        "1 of 2 phones named otherwise: server.web[0] phone 0002 (by-hand, id b) should be web-0002");
  CHECK(p.drift[0].changes[1].after == "1 of 2 phones not running: server.web[0] phone 0002 (by-hand, id b) is stopped (8)");
}

TEST_CASE("a long list that changed is shown by the elements that left and came, not whole") {
  Plan p;
  Action a;
  a.kind = ActionKind::update;
  a.address = "phones.game";
  a.type = "phones";
  a.block = "phones.game";
  Json before = Json::array(), after = Json::array();
  for (int i = 1; i <= 500; ++i) {
    before.push_back({{"server", "server.game[0]"}, {"phone", i}, {"imsi", "46002000000" + std::to_string(1000 + i)}});
    after.push_back(before.back());
  }
  after[41]["imsi"] = "460029999999999";
  a.changes.push_back({"phones", before, after, false});
  p.actions.push_back(a);
  const std::string text = render_plan(p);
  INFO(text);
  CHECK(text.find("~ phones = [500 elements: 1 removed, 1 added]") != std::string::npos);
  CHECK(text.find("- { imsi = \"460020000001042\", phone = 42, server = \"server.game[0]\" }") != std::string::npos);
  CHECK(text.find("+ { imsi = \"460029999999999\", phone = 42, server = \"server.game[0]\" }") != std::string::npos);
  CHECK(text.find("460020000001043") == std::string::npos);  // unchanged rows are not printed
}
