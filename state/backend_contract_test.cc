// The StateStore contract, run unchanged against every backend (see
// contract_fixture.h): rows, serial, journal, locks, workspaces, history and
// copies. Backend-specific behaviour is tested next to each backend.
#include <catch2/catch.hpp>
#include <thread>

#include "common/timefmt.h"
#include "state/contract_fixture.h"
#include "state/state.h"
#include "state/state_test_util.h"

using namespace cph::state;
using namespace cph::state::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> addresses(const std::vector<ResourceRow>& rows) {
  std::vector<std::string> out;
  for (const ResourceRow& r : rows) out.push_back(r.address);
  return out;
}

// A state with something in every table.
void fill(StateStore& s) {
  s.put_resource(row("keypair.adb", {{"name", "adb"}}));
  s.put_resource(row("server.web[0]", {{"name", "游戏-web"}, {"big", int64_t{9007199254740993}}, {"r", 0.25}},
                     {"keypair.adb"}));
  s.put_resource(row("server.web[0]", {{"name", "web-0"}}, {"keypair.adb"}));
  int64_t done = s.journal_intent("run-1", "server.db", "purchase", "d1", {{"server_name", "db"}});
  s.journal_answered(done, {{"order_id", "CS1"}});
  s.journal_done(done, {row("server.db", {{"name", "db"}})}, {"keypair.adb"});
  int64_t failed = s.journal_intent("run-1", "server.x", "rename", "d2", Json::object());
  s.journal_failed(failed, "CPS.0087");
  int64_t open = s.journal_intent("run-2", "server.y", "purchase", "d3", {{"n", 2}});
  s.journal_answered(open, {{"order_id", "CS2"}});
}

}  // namespace

TEST_CASE("contract: a fresh state is empty with a random lineage", "[contract]") {
  auto backend = make_backend();
  auto store = backend->open();
  Meta m = store->meta();
  CHECK(is_hex32(m.lineage));
  CHECK(m.serial == 0);
  CHECK(m.schema_version >= 1);
  CHECK(store->resources().empty());
  CHECK(store->open_journal().empty());
  CHECK(store->journal(-1).empty());
  CHECK(store->history(-1).empty());
  CHECK_FALSE(store->current_lock());
  CHECK(backend->open()->meta().lineage == m.lineage);  // reopening keeps it
  CHECK(make_backend()->open()->meta().lineage != m.lineage);
}

TEST_CASE("contract: rows round-trip, replace, and come back in byte order", "[contract]") {
  auto backend = make_backend();
  auto store = backend->open();
  Json attrs = {{"name", "游戏-web_01"}, {"big", int64_t{9007199254740993}}, {"ratio", 0.25}, {"off", false},
                {"none", nullptr}, {"ports", Json::array({{{"listen_port", 20000}}})}};
  store->put_resource(row("server.web[0]", attrs, {"keypair.adb", "bandwidth.b"}));
  for (const char* a : {"server.Web", "server.web_x", "keypair.adb", "server.web[1]"}) store->put_resource(row(a));

  auto other = backend->open();  // another connection sees the writes
  std::optional<ResourceRow> out = other->resource("server.web[0]");
  REQUIRE(out);
  CHECK(out->type == "server");
  CHECK(out->cloud_id == "id-server.web[0]");
  CHECK(out->attributes == attrs);
  CHECK(out->attributes["big"].get<int64_t>() == 9007199254740993);
  CHECK(out->dependencies == std::vector<std::string>{"keypair.adb", "bandwidth.b"});
  CHECK(cph::parse_iso8601_utc(out->updated_at));
  CHECK_FALSE(other->resource("server.nope"));
  // Byte order whatever the database locale: upper case first, '[' before '_'.
  CHECK(addresses(other->resources()) ==
        std::vector<std::string>{"keypair.adb", "server.Web", "server.web[0]", "server.web[1]", "server.web_x"});

  store->put_resource(row("server.web[0]", {{"name", "renamed"}}));
  CHECK(other->resource("server.web[0]")->attributes == Json{{"name", "renamed"}});
  CHECK(other->resource("server.web[0]")->dependencies.empty());

  CHECK_THROWS_AS(store->put_resource(row("")), std::invalid_argument);
  CHECK_THROWS_AS(store->put_resource(row("server.x", Json::array())), std::invalid_argument);
  CHECK_THROWS_WITH(store->put_resource(row("server.x", {{"name", "\xff"}})), Catch::Contains("server.x"));
  CHECK(store->meta().serial == 6);
}

TEST_CASE("contract: every write bumps the serial once; reads and locks never do", "[contract]") {
  auto backend = make_backend();
  auto store = backend->open();
  int64_t expected = 0;
  auto wrote = [&] { CHECK(store->meta().serial == ++expected); };
  store->put_resource(row("server.a"));
  wrote();
  store->remove_resource("server.a");
  wrote();
  store->remove_resource("server.never");
  wrote();
  int64_t id = store->journal_intent("run", "server.b", "purchase", "d", Json::object());
  wrote();
  store->journal_answered(id, {{"order_id", "CS1"}});
  wrote();
  store->journal_done(id, {row("server.b[0]"), row("server.b[1]")}, {});
  wrote();
  store->resources();
  store->history(5);
  store->snapshot();
  std::string lock = store->lock("me", "apply", 60s, 0ms);
  store->refresh_lock(lock, 120s);
  store->unlock(lock);
  CHECK(store->meta().serial == expected);
}

TEST_CASE("contract: journal lifecycle, with journal_done atomic with its rows", "[contract][journal]") {
  auto backend = make_backend();
  auto store = backend->open();
  store->put_resource(row("server.old"));
  int64_t id = store->journal_intent("run-7", "server.web[0..1]", "purchase", "sha", {{"server_name", "web"}});
  store->journal_answered(id, {{"order_id", "CS1"}});
  store->journal_answered(id, {{"server_ids", {"s0", "s1"}}});
  std::vector<JournalEntry> open = store->open_journal();
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == id);
  CHECK(open[0].run_id == "run-7");
  CHECK(open[0].request_digest == "sha");
  CHECK(open[0].status == JournalStatus::answered);
  CHECK(open[0].response == Json{{"order_id", "CS1"}, {"server_ids", {"s0", "s1"}}});

  // Half-way failure: the second row is refused, nothing changes.
  int64_t serial = store->meta().serial;
  CHECK_THROWS_AS(store->journal_done(id, {row("server.web[0]"), row("server.web[1]", Json::array())}, {}),
                  std::invalid_argument);
  CHECK(store->meta().serial == serial);
  CHECK_FALSE(store->resource("server.web[0]"));
  CHECK(store->open_journal().size() == 1);

  store->journal_done(id, {row("server.web[0]"), row("server.web[1]")}, {"server.old"});
  CHECK(store->meta().serial == serial + 1);
  CHECK(store->open_journal().empty());
  CHECK(addresses(store->resources()) == std::vector<std::string>{"server.web[0]", "server.web[1]"});
  CHECK(store->journal(1).at(0).status == JournalStatus::done);
  CHECK_THROWS_AS(store->journal_answered(id, {{"late", true}}), std::logic_error);
  CHECK_THROWS_WITH(store->journal_failed(id, "x"), Catch::Contains("already done"));
  CHECK_THROWS_AS(store->journal_failed(123456, "x"), std::invalid_argument);
  CHECK(store->meta().serial == serial + 1);

  int64_t a = store->journal_intent("r", "server.a", "purchase", "da", Json::object());
  int64_t b = store->journal_intent("r", "server.b", "purchase", "db", Json::object());
  store->journal_failed(a, "CPS.0065 quota");
  std::vector<JournalEntry> newest = store->journal(2);
  REQUIRE(newest.size() == 2);
  CHECK(newest[0].id == b);
  CHECK(newest[1].id == a);
  CHECK(newest[1].error == "CPS.0065 quota");
  CHECK(store->journal(-1).size() == 3);
  CHECK(store->journal(0).empty());
}

TEST_CASE("contract: history records every change, newest first", "[contract][history]") {
  auto backend = make_backend();
  auto store = backend->open();
  store->put_resource(row("server.a", {{"v", 1}}));
  store->put_resource(row("server.a", {{"v", 2}}, {"keypair.k"}));
  int64_t id = store->journal_intent("run", "server.a", "delete", "d", Json::object());
  store->journal_done(id, {}, {"server.a"});

  std::vector<HistoryEntry> h = store->history(-1);
  REQUIRE(h.size() == 5);
  CHECK(h[4].action == "create");
  CHECK(h[4].serial == 1);
  CHECK(h[4].address == "server.a");
  CHECK_FALSE(h[4].previous);
  CHECK_FALSE(h[4].journal_id);
  CHECK(h[3].action == "update");
  REQUIRE(h[3].previous);
  CHECK((*h[3].previous)["attributes"] == Json{{"v", 1}});
  CHECK((*h[3].previous)["type"] == "server");
  CHECK((*h[3].previous)["cloud_id"] == "id-server.a");
  CHECK((*h[3].previous)["dependencies"] == Json::array());
  CHECK(h[2].action == "journal:intent");
  CHECK(h[2].journal_id == id);
  // journal_done: the delete and the transition share one serial.
  CHECK(h[1].action == "delete");
  CHECK(h[0].action == "journal:done");
  CHECK(h[1].serial == 4);
  CHECK(h[0].serial == 4);
  CHECK(h[1].journal_id == id);
  REQUIRE(h[1].previous);
  CHECK((*h[1].previous)["dependencies"] == Json{"keypair.k"});
  CHECK(cph::parse_iso8601_utc(h[0].time));
  CHECK(h[0].id > h[1].id);
  REQUIRE(store->history(2).size() == 2);
  CHECK(store->history(2)[1].id == h[1].id);
}

TEST_CASE("contract: lock contention, release, refresh and force-unlock", "[contract][lock]") {
  auto backend = make_backend();
  auto a = backend->open();
  auto b = backend->open();
  std::string id = a->lock("alice@host pid 1", "apply", 60s, 0ms);
  CHECK(is_hex32(id));
  std::optional<LockInfo> info = b->current_lock();
  REQUIRE(info);
  CHECK(info->id == id);
  CHECK(info->holder == "alice@host pid 1");
  CHECK(info->operation == "apply");
  CHECK(*cph::parse_iso8601_utc(info->expires_at) - *cph::parse_iso8601_utc(info->created_at) == 60);

  auto start = std::chrono::steady_clock::now();
  try {
    b->lock("bob", "destroy", 60s, 300ms);
    FAIL("the lock is held");
  } catch (const LockHeld& e) {
    CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    CHECK(e.holder.id == id);
    CHECK(std::string(e.what()).find("alice@host pid 1") != std::string::npos);
  }
  CHECK_THROWS_AS(a->lock("alice again", "apply", 60s, 0ms), LockHeld);  // not re-entrant
  b->unlock("not-the-lock-id");
  CHECK(b->current_lock());
  a->refresh_lock(id, 600s);
  CHECK(*cph::parse_iso8601_utc(b->current_lock()->expires_at) >= cph::now_epoch_seconds() + 599);

  // A waiter gets the lock once it is released.
  std::thread releaser([&] {
    std::this_thread::sleep_for(300ms);
    a->unlock(id);
  });
  std::string bobs = b->lock("bob", "apply", 60s, 10s);
  releaser.join();
  CHECK(a->current_lock()->holder == "bob");
  b->unlock(bobs);
  CHECK_FALSE(a->current_lock());
  {
    ScopedLock held(*a, "carol", "plan", 60s, 0ms);
    CHECK(b->current_lock()->id == held.id());
  }
  CHECK_FALSE(b->current_lock());

  // Force-unlock: another store releases the lock by its id.
  auto c = backend->open();
  std::string stuck = c->lock("stuck", "apply", 60s, 0ms);
  b->unlock(stuck);
  std::string after = b->lock("bob", "apply", 60s, 5s);
  CHECK(b->current_lock()->holder == "bob");
  b->unlock(after);
}

TEST_CASE("contract: workspaces are independent states", "[contract][workspace]") {
  auto backend = make_backend();
  BackendConfig config = backend->config();
  CHECK(list_workspaces(config) == std::vector<std::string>{"default"});
  auto def = backend->open();
  def->put_resource(row("server.prod"));

  create_workspace(config, "staging");
  create_workspace(config, "dev-2_x");
  CHECK_THROWS_WITH(create_workspace(config, "staging"), Catch::Contains("already exists"));
  CHECK_THROWS_WITH(create_workspace(config, "default"), Catch::Contains("already exists"));
  for (const char* bad : {"", "a b", "../x", "ü", "x/y"}) CHECK_THROWS_AS(create_workspace(config, bad), std::invalid_argument);
  CHECK_THROWS_AS(create_workspace(config, std::string(65, 'a')), std::invalid_argument);
  create_workspace(config, std::string(64, 'a'));
  CHECK(list_workspaces(config) == std::vector<std::string>{std::string(64, 'a'), "default", "dev-2_x", "staging"});

  auto staging = backend->open("staging");
  CHECK(staging->meta().serial == 0);
  CHECK(staging->meta().lineage != def->meta().lineage);
  CHECK(staging->resources().empty());
  staging->put_resource(row("server.stage"));
  CHECK(addresses(def->resources()) == std::vector<std::string>{"server.prod"});
  CHECK(def->meta().serial == 1);

  // Locks are per workspace.
  std::string l1 = def->lock("alice", "apply", 60s, 0ms);
  std::string l2 = staging->lock("bob", "apply", 60s, 0ms);
  CHECK(def->current_lock()->holder == "alice");
  CHECK(staging->current_lock()->holder == "bob");

  // Opening a new name creates it.
  backend->open("feature-1");
  CHECK(list_workspaces(config).size() == 5);

  CHECK_THROWS_WITH(delete_workspace(config, "default", true), Catch::Contains("cannot be deleted"));
  CHECK_THROWS_WITH(delete_workspace(config, "nope"), Catch::Contains("does not exist"));
  CHECK_THROWS_AS(delete_workspace(config, "staging", true), LockHeld);
  staging->unlock(l2);
  CHECK_THROWS_WITH(delete_workspace(config, "staging"), Catch::Contains("still has 1 resource"));
  delete_workspace(config, "staging", true);
  delete_workspace(config, "dev-2_x");
  CHECK(list_workspaces(config) == std::vector<std::string>{std::string(64, 'a'), "default", "feature-1"});
  CHECK(def->current_lock()->id == l1);
  CHECK(def->resources().size() == 1);
  // A deleted name starts over.
  auto reborn = backend->open("staging");
  CHECK(reborn->resources().empty());
  CHECK(reborn->meta().serial == 0);
  def->unlock(l1);
}

TEST_CASE("contract: copy_state copies everything and refuses a non-empty destination", "[contract][copy]") {
  auto backend = make_backend();
  auto from = backend->open();
  fill(*from);
  auto to = backend->open("copy");
  copy_state(*from, *to);
  CHECK(export_state(*to).dump() == export_state(*from).dump());
  CHECK(to->meta().lineage == from->meta().lineage);
  CHECK(to->meta().serial == from->meta().serial);
  std::vector<HistoryEntry> hf = from->history(-1), ht = to->history(-1);
  REQUIRE(ht.size() == hf.size());
  for (size_t i = 0; i < hf.size(); ++i) {
    CHECK(ht[i].id == hf[i].id);
    CHECK(ht[i].serial == hf[i].serial);
    CHECK(ht[i].action == hf[i].action);
    CHECK(ht[i].journal_id == hf[i].journal_id);
    CHECK(ht[i].previous == hf[i].previous);
  }
  Json doc = export_state(*to);
  CHECK(doc["format_version"] == 1);
  CHECK(doc["resources"].size() == 2);
  CHECK(doc["journal"].size() == 3);
  CHECK(doc["journal"][0]["status"] == "done");

  // The copy lives on: the open entry can finish, ids are not reused.
  JournalEntry open = to->open_journal().at(0);
  to->journal_done(open.id, {row("server.y")}, {});
  int64_t next = to->journal_intent("run-3", "server.z", "purchase", "d", Json::object());
  CHECK(next > open.id);
  CHECK(to->meta().serial == from->meta().serial + 2);

  CHECK_THROWS_WITH(copy_state(*from, *to), Catch::Contains("not empty"));
  copy_state(*from, *to, true);
  CHECK(export_state(*to).dump() == export_state(*from).dump());
}

TEST_CASE("contract: settings persist per workspace, outside the serial and the history", "[contract][settings]") {
  auto backend = make_backend();
  auto store = backend->open();
  CHECK_FALSE(store->setting("provider.project_id"));
  store->put_setting("provider.project_id", "p-1");
  store->put_setting("provider.region", "cn-east-3");
  store->put_setting("provider.project_id", "p-2");  // replaced, not added
  CHECK(store->setting("provider.project_id") == "p-2");
  CHECK(backend->open()->setting("provider.region") == "cn-east-3");  // reopened
  CHECK(store->meta().serial == 0);  // a cache, not a change of the state
  CHECK(store->history(-1).empty());
  CHECK_FALSE(backend->open("other")->setting("provider.project_id"));
}

TEST_CASE("contract: a row keeps the provider that owns it, through writes, journal and copies",
          "[contract][provider]") {
  auto backend = make_backend();
  auto store = backend->open();
  ResourceRow east = row("server.east[0]", {{"name", "e-0"}});
  east.provider = "east";
  store->put_resource(east);
  store->put_resource(row("server.plain"));  // the provider named after its type
  ResourceRow south = row("server.south", {{"name", "s"}});
  south.provider = "south";
  int64_t id = store->journal_intent("run-1", "server.south", "purchase", "d", Json::object());
  store->journal_done(id, {south}, {});

  auto other = backend->open();
  CHECK(other->resource("server.east[0]")->provider == "east");
  CHECK(other->resource("server.plain")->provider.empty());
  CHECK(other->resource("server.south")->provider == "south");
  east.provider = "south";  // moved: the row says so after the replacement
  store->put_resource(east);
  CHECK(other->resource("server.east[0]")->provider == "south");

  // Exports name only named providers: a single-provider state's bytes are unchanged.
  Json doc = export_state(*other);
  for (const Json& r : doc["resources"])
    CHECK(r.contains("provider") == (r["address"] != "server.plain"));
  auto to = backend->open("copy");
  copy_state(*store, *to);
  CHECK(to->resource("server.south")->provider == "south");
  CHECK(export_state(*to).dump() == export_state(*store).dump());
}
