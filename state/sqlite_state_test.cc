// Tests of the SQLite state backend: migrations, resource rows, the
// journal, history, all-or-nothing writes and the workspace layout on disk.
// Locks and several stores on one file are in sqlite_lock_test.cc.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/sqlite.h"
#include "common/timefmt.h"
#include "state/sqlite_migrations.h"
#include "state/state.h"
#include "state/state_test_util.h"

using namespace cph::state;
using namespace cph::state::testing;
using namespace std::chrono_literals;

TEST_CASE("journal status names round-trip", "[state]") {
  for (JournalStatus s : {JournalStatus::intent, JournalStatus::answered, JournalStatus::done, JournalStatus::failed})
    CHECK(journal_status_from_string(to_string(s)) == s);
  CHECK_THROWS_AS(journal_status_from_string("pending"), std::invalid_argument);
}

TEST_CASE("migrations build the schema in an empty file", "[state][migrations]") {
  TempDir tmp;
  std::string path = tmp.file();
  SECTION("file does not exist yet") {}
  SECTION("file exists but is empty") { std::ofstream(path).close(); }

  auto store = open_sqlite_state(path);
  Meta m = store->meta();
  CHECK(is_hex32(m.lineage));
  CHECK(m.serial == 0);
  CHECK(m.schema_version == sqlite_detail::latest_schema_version());
  CHECK(store->resources().empty());
  CHECK(store->open_journal().empty());
  CHECK_FALSE(store->current_lock());
  CHECK(count_rows(path, "schema_migrations") == sqlite_detail::latest_schema_version());
  for (const char* table : {"resources", "journal", "history", "locks"}) CHECK(count_rows(path, table) == 0);

  // A second open of an up-to-date file applies nothing again.
  auto again = open_sqlite_state(path);
  CHECK(again->meta().lineage == m.lineage);
  CHECK(count_rows(path, "schema_migrations") == sqlite_detail::latest_schema_version());
}

TEST_CASE("two fresh states get different lineages", "[state][migrations]") {
  TempDir tmp;
  CHECK(open_sqlite_state(tmp.file("a.db"))->meta().lineage != open_sqlite_state(tmp.file("b.db"))->meta().lineage);
}

TEST_CASE("a state file from a newer cphform is refused", "[state][migrations]") {
  TempDir tmp;
  std::string path = tmp.file();
  open_sqlite_state(path);
  int newer = sqlite_detail::latest_schema_version() + 1;
  {
    cph::sql::Db db(path);
    db.exec("UPDATE meta SET schema_version = " + std::to_string(newer));
  }
  REQUIRE_THROWS_WITH(open_sqlite_state(path), Catch::Contains("schema version " + std::to_string(newer)) &&
                                                   Catch::Contains("supports up to version " +
                                                                   std::to_string(newer - 1)));
}

TEST_CASE("a version 2 state gains the provider column; its rows belong to the default provider",
          "[state][migrations][provider]") {
  TempDir tmp;
  std::string path = tmp.file();
  {
    // The schema as cphform wrote it before named providers (migrations 1 and 2).
    cph::sql::Db db(path);
    for (const sqlite_detail::Migration& m : sqlite_detail::migrations())
      if (m.version <= 2)
        for (const std::string& statement : m.statements) db.exec(statement);
    db.exec("UPDATE meta SET schema_version = 2");
    db.exec("INSERT INTO resources (address, type, cloud_id, updated_at) "
            "VALUES ('server.old', 'server', 'id-1', '2026-01-01T00:00:00Z')");
  }
  auto store = open_sqlite_state(path);
  CHECK(store->meta().schema_version == 3);
  std::optional<ResourceRow> old = store->resource("server.old");
  REQUIRE(old);
  CHECK(old->cloud_id == "id-1");
  CHECK(old->provider.empty());
  ResourceRow named = *old;
  named.provider = "east";
  store->put_resource(named);
  CHECK(open_sqlite_state(path)->resource("server.old")->provider == "east");
}

TEST_CASE("an unrelated SQLite database is not taken over", "[state][migrations]") {
  TempDir tmp;
  std::string path = tmp.file();
  {
    cph::sql::Db db(path);
    db.exec("CREATE TABLE photos (id INTEGER)");
  }
  REQUIRE_THROWS_WITH(open_sqlite_state(path), Catch::Contains("not a cphform state file"));
  CHECK(count_rows(path, "photos") == 0);
}

TEST_CASE("reopening keeps lineage, serial and rows", "[state]") {
  TempDir tmp;
  std::string path = tmp.file();
  Meta before;
  {
    auto store = open_sqlite_state(path);
    store->put_resource(row("server.web[0]", {{"name", "web-0"}}));
    store->put_resource(row("server.web[1]", {{"name", "web-1"}}));
    store->journal_intent("run-1", "server.db", "purchase", "digest", {{"server_name", "db"}});
    before = store->meta();
  }
  auto store = open_sqlite_state(path);
  Meta after = store->meta();
  CHECK(after.lineage == before.lineage);
  CHECK(after.serial == before.serial);
  CHECK(after.serial == 3);
  REQUIRE(store->resources().size() == 2);
  CHECK(store->resource("server.web[1]")->attributes == Json{{"name", "web-1"}});
  REQUIRE(store->open_journal().size() == 1);
  CHECK(store->open_journal()[0].intent == Json{{"server_name", "db"}});
}

TEST_CASE("resource rows round-trip their JSON and are ordered by address", "[state]") {
  TempDir tmp;
  auto store = open_sqlite_state(tmp.file());
  Json attrs = {
      {"name", "游戏-web_01"},
      {"count", 2},
      {"big", int64_t{9007199254740993}},
      {"ratio", 0.25},
      {"enabled", false},
      {"nothing", nullptr},
      {"ports", Json::array({{{"name", "game"}, {"listen_port", 20000}, {"internet_accessible", true}}})},
      {"bandwidth", {{"share_type", "dedicated"}, {"size", 300}}},
  };
  ResourceRow in = row("server.web[0]", attrs, {"keypair.adb", "bandwidth.shared"});
  in.updated_at = "1999-01-01T00:00:00Z";  // the store sets its own time
  store->put_resource(in);
  store->put_resource(row("keypair.adb"));
  store->put_resource(row("bandwidth.shared"));

  std::optional<ResourceRow> out = store->resource("server.web[0]");
  REQUIRE(out);
  CHECK(out->address == "server.web[0]");
  CHECK(out->type == "server");
  CHECK(out->cloud_id == "id-server.web[0]");
  CHECK(out->attributes == attrs);
  CHECK(out->attributes["big"].get<int64_t>() == 9007199254740993);
  CHECK(out->dependencies == std::vector<std::string>{"keypair.adb", "bandwidth.shared"});
  REQUIRE(cph::parse_iso8601_utc(out->updated_at));
  CHECK(*cph::parse_iso8601_utc(out->updated_at) >= cph::now_epoch_seconds() - 5);

  std::vector<std::string> order;
  for (const ResourceRow& r : store->resources()) order.push_back(r.address);
  CHECK(order == std::vector<std::string>{"bandwidth.shared", "keypair.adb", "server.web[0]"});
  CHECK_FALSE(store->resource("server.nope"));

  // A second put replaces the whole row.
  ResourceRow changed = row("server.web[0]", {{"name", "renamed"}});
  changed.cloud_id = "";
  store->put_resource(changed);
  out = store->resource("server.web[0]");
  CHECK(out->attributes == Json{{"name", "renamed"}});
  CHECK(out->cloud_id.empty());
  CHECK(out->dependencies.empty());
}

TEST_CASE("rows that cannot be stored are rejected", "[state]") {
  TempDir tmp;
  auto store = open_sqlite_state(tmp.file());
  CHECK_THROWS_AS(store->put_resource(row("")), std::invalid_argument);
  ResourceRow no_type = row("server.x");
  no_type.type = "";
  CHECK_THROWS_AS(store->put_resource(no_type), std::invalid_argument);
  CHECK_THROWS_WITH(store->put_resource(row("server.x", Json::array())), Catch::Contains("must be a JSON object"));
  CHECK_THROWS_WITH(store->put_resource(row("server.x", {{"name", "\xff\xfe"}})), Catch::Contains("server.x"));
  CHECK_THROWS_AS(store->journal_intent("r", "server.x", "purchase", "d", Json::array()), std::invalid_argument);
  CHECK(store->meta().serial == 0);
  CHECK(store->resources().empty());
}

TEST_CASE("every write bumps the serial once and reads never do", "[state]") {
  TempDir tmp;
  auto store = open_sqlite_state(tmp.file());
  int64_t expected = 0;
  auto wrote = [&] { CHECK(store->meta().serial == ++expected); };

  store->put_resource(row("server.a"));
  wrote();
  store->put_resource(row("server.a", {{"name", "a"}}));
  wrote();
  store->remove_resource("server.a");
  wrote();
  store->remove_resource("server.never");  // absent: still one committed write
  wrote();
  int64_t id = store->journal_intent("run", "server.b", "purchase", "d", Json::object());
  wrote();
  store->journal_answered(id, {{"order_id", "CS1"}});
  wrote();
  store->journal_done(id, {row("server.b[0]"), row("server.b[1]")}, {});
  wrote();
  int64_t id2 = store->journal_intent("run", "server.c", "rename", "d", Json::object());
  wrote();
  store->journal_failed(id2, "CPS.0087");
  wrote();

  // Reads and locks leave it alone.
  store->resources();
  store->resource("server.b[0]");
  store->open_journal();
  store->journal(10);
  store->current_lock();
  std::string lock = store->lock("me", "apply", 60s, 0ms);
  store->refresh_lock(lock, 120s);
  store->unlock(lock);
  CHECK(store->meta().serial == expected);
}

TEST_CASE("history keeps the version before each change", "[state][history]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto store = open_sqlite_state(path);
  store->put_resource(row("server.a", {{"v", 1}}));
  store->put_resource(row("server.a", {{"v", 2}}, {"keypair.k"}));
  store->remove_resource("server.a");

  std::vector<HistoryRow> h = history_of(path);
  REQUIRE(h.size() == 3);
  CHECK(h[0].serial == 1);
  CHECK(h[0].action == "create");
  CHECK(h[0].address == "server.a");
  CHECK_FALSE(h[0].previous);
  CHECK_FALSE(h[0].journal_id);

  CHECK(h[1].serial == 2);
  CHECK(h[1].action == "update");
  REQUIRE(h[1].previous);
  CHECK((*h[1].previous)["attributes"] == Json{{"v", 1}});
  CHECK((*h[1].previous)["cloud_id"] == "id-server.a");
  CHECK((*h[1].previous)["type"] == "server");
  CHECK((*h[1].previous)["dependencies"] == Json::array());

  CHECK(h[2].serial == 3);
  CHECK(h[2].action == "delete");
  REQUIRE(h[2].previous);
  CHECK((*h[2].previous)["attributes"] == Json{{"v", 2}});
  CHECK((*h[2].previous)["dependencies"] == Json{"keypair.k"});
}

TEST_CASE("journal lifecycle: intent, answered, done with rows in one transaction", "[state][journal]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto store = open_sqlite_state(path);
  store->put_resource(row("server.old"));

  Json intent = {{"server_name", "web"}, {"count", 2}};
  int64_t id = store->journal_intent("run-7", "server.web[0..1]", "purchase", "sha-of-body", intent);
  std::vector<JournalEntry> open = store->open_journal();
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == id);
  CHECK(open[0].run_id == "run-7");
  CHECK(open[0].address == "server.web[0..1]");
  CHECK(open[0].operation == "purchase");
  CHECK(open[0].request_digest == "sha-of-body");
  CHECK(open[0].intent == intent);
  CHECK(open[0].response == Json::object());
  CHECK(open[0].status == JournalStatus::intent);
  CHECK(open[0].error.empty());
  CHECK(cph::parse_iso8601_utc(open[0].created_at));

  // Answers accumulate: order id first, server ids when the order completes.
  store->journal_answered(id, {{"order_id", "CS1710111105S8IPB"}});
  store->journal_answered(id, {{"server_ids", {"s0", "s1"}}});
  open = store->open_journal();
  REQUIRE(open.size() == 1);
  CHECK(open[0].status == JournalStatus::answered);
  CHECK(open[0].response == Json{{"order_id", "CS1710111105S8IPB"}, {"server_ids", {"s0", "s1"}}});

  int64_t serial_before = store->meta().serial;
  store->journal_done(id, {row("server.web[0]", {{"name", "web-0001"}}), row("server.web[1]")}, {"server.old"});
  CHECK(store->meta().serial == serial_before + 1);
  CHECK(store->open_journal().empty());
  CHECK(store->resource("server.web[0]")->attributes == Json{{"name", "web-0001"}});
  CHECK(store->resource("server.web[1]"));
  CHECK_FALSE(store->resource("server.old"));

  std::vector<JournalEntry> all = store->journal(10);
  REQUIRE(all.size() == 1);
  CHECK(all[0].status == JournalStatus::done);
  CHECK(all[0].response["server_ids"] == Json{"s0", "s1"});

  // The done write is one serial in history, each row tagged with the entry.
  int changes = 0;
  for (const HistoryRow& h : history_of(path)) {
    if (h.serial != serial_before + 1) continue;
    ++changes;
    REQUIRE(h.journal_id);
    CHECK(*h.journal_id == id);
  }
  CHECK(changes == 4);  // two creates, one delete, the journal transition

  CHECK_THROWS_AS(store->journal_answered(id, {{"late", true}}), std::logic_error);
  CHECK_THROWS_AS(store->journal_done(id, {}, {}), std::logic_error);
}

TEST_CASE("open_journal lists only unfinished entries, oldest first; journal() newest first", "[state][journal]") {
  TempDir tmp;
  auto store = open_sqlite_state(tmp.file());
  int64_t a = store->journal_intent("run", "server.a", "purchase", "da", Json::object());
  int64_t b = store->journal_intent("run", "server.b", "purchase", "db", Json::object());
  int64_t c = store->journal_intent("run", "server.c", "purchase", "dc", Json::object());
  int64_t d = store->journal_intent("run", "server.d", "purchase", "dd", Json::object());
  store->journal_answered(c, {{"order_id", "CS3"}});
  store->journal_done(b, {}, {});
  store->journal_failed(d, "CPS.0065 quota exceeded");

  std::vector<int64_t> open_ids;
  for (const JournalEntry& e : store->open_journal()) open_ids.push_back(e.id);
  CHECK(open_ids == std::vector<int64_t>{a, c});

  std::vector<int64_t> newest;
  for (const JournalEntry& e : store->journal(3)) newest.push_back(e.id);
  CHECK(newest == std::vector<int64_t>{d, c, b});
  CHECK(store->journal(-1).size() == 4);
  CHECK(store->journal(0).empty());
}

TEST_CASE("failed journal entries keep their error and are final", "[state][journal]") {
  TempDir tmp;
  auto store = open_sqlite_state(tmp.file());
  int64_t id = store->journal_intent("run", "server.a", "purchase", "d", Json::object());
  store->journal_answered(id, {{"order_id", "CS9"}});
  store->journal_failed(id, "CPS.0065: insufficient quota");
  CHECK(store->open_journal().empty());
  JournalEntry e = store->journal(1).at(0);
  CHECK(e.status == JournalStatus::failed);
  CHECK(e.error == "CPS.0065: insufficient quota");
  CHECK(e.response == Json{{"order_id", "CS9"}});

  int64_t serial = store->meta().serial;
  CHECK_THROWS_WITH(store->journal_done(id, {row("server.a")}, {}), Catch::Contains("already failed"));
  CHECK_THROWS_AS(store->journal_failed(id, "again"), std::logic_error);
  CHECK_THROWS_AS(store->journal_failed(12345, "x"), std::invalid_argument);
  CHECK(store->meta().serial == serial);
  CHECK_FALSE(store->resource("server.a"));
}

TEST_CASE("a write that throws half-way changes nothing", "[state]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto store = open_sqlite_state(path);
  store->put_resource(row("server.keep", {{"v", 1}}));
  int64_t id = store->journal_intent("run", "server.web", "purchase", "d", Json::object());
  Meta before = store->meta();
  size_t history_before = history_of(path).size();

  // The first row is written, the second is refused inside the transaction.
  std::vector<ResourceRow> put = {row("server.web[0]"), row("server.web[1]", Json::array())};
  CHECK_THROWS_AS(store->journal_done(id, put, {"server.keep"}), std::invalid_argument);

  CHECK(store->meta().serial == before.serial);
  CHECK_FALSE(store->resource("server.web[0]"));
  CHECK(store->resource("server.keep"));
  REQUIRE(store->open_journal().size() == 1);
  CHECK(store->open_journal()[0].status == JournalStatus::intent);
  CHECK(history_of(path).size() == history_before);

  // The connection is usable afterwards and the entry can still finish.
  store->journal_done(id, {row("server.web[0]")}, {});
  CHECK(store->meta().serial == before.serial + 1);
}

TEST_CASE("sqlite workspaces: default stays at state.db, others under workspaces/", "[state][workspace]") {
  namespace fs = std::filesystem;
  TempDir tmp;
  {
    auto before_workspaces = open_sqlite_state(tmp.file());  // a state made before workspaces existed
    before_workspaces->put_resource(row("server.a"));
  }
  BackendConfig config;
  config.sqlite_dir = tmp.dir.string();
  CHECK(open_state_store(config)->resource("server.a"));

  create_workspace(config, "ci");
  fs::path ci = tmp.dir / "workspaces" / "ci" / "state.db";
  CHECK(fs::exists(ci));
  config.workspace = "ci";
  open_state_store(config)->put_resource(row("server.b"));
  CHECK(count_rows(ci.string(), "resources") == 1);
  CHECK(count_rows(tmp.file(), "resources") == 1);

  // A directory without a state file is not a workspace.
  fs::create_directories(tmp.dir / "workspaces" / "junk");
  CHECK(list_workspaces(config) == std::vector<std::string>{"ci", "default"});
  delete_workspace(config, "ci", true);
  CHECK_FALSE(fs::exists(ci.parent_path()));
  CHECK(list_workspaces(config) == std::vector<std::string>{"default"});

  BackendConfig no_dir;
  CHECK_THROWS_WITH(open_state_store(no_dir), Catch::Contains("data directory"));
  BackendConfig mysql = config;
  mysql.type = "mysql";
  CHECK_THROWS_WITH(list_workspaces(mysql), Catch::Contains("unknown state backend type \"mysql\""));
}
