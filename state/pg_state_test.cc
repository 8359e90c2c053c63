// PostgreSQL-specific behaviour: copies between backends, concurrent writers
// and lock holders in one workspace, independent workspaces, and a killed
// holder's lock. The shared contract is in backend_contract_test.cc.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "state/pg_test_util.h"
#include "state/state.h"
#include "state/state_test_util.h"

using namespace cph::state;
using namespace cph::state::testing;
using namespace std::chrono_literals;

TEST_CASE("pg: SQLite -> PostgreSQL -> SQLite round-trips byte-equal state", "[pg][copy]") {
  TempDir tmp;
  PgSchema schema;
  auto src = open_sqlite_state(tmp.file("src.db"));
  src->put_resource(row("server.web[0]", {{"name", "游戏"}, {"big", int64_t{9007199254740993}}, {"r", 0.1}},
                        {"keypair.k"}));
  src->put_resource(row("keypair.k"));
  src->put_resource(row("server.Z", {{"nested", {{"a", {1, 2, nullptr}}}}}));
  int64_t id = src->journal_intent("run", "server.db", "purchase", "digest", {{"server_name", "db"}});
  src->journal_answered(id, {{"order_id", "CS1"}});
  src->journal_done(id, {row("server.db")}, {"server.Z"});
  src->journal_intent("run", "server.open", "purchase", "d2", {{"n", 1}});

  auto pg = open_pg_state(schema.conninfo(), "migrated");
  copy_state(*src, *pg);
  auto back = open_sqlite_state(tmp.file("back.db"));
  copy_state(*pg, *back);

  std::string expected = export_state(*src).dump();
  CHECK(export_state(*pg).dump() == expected);
  CHECK(export_state(*back).dump() == expected);
  std::vector<HistoryEntry> h0 = src->history(-1), h2 = back->history(-1);
  REQUIRE(h2.size() == h0.size());
  for (size_t i = 0; i < h0.size(); ++i) {
    CHECK(h2[i].id == h0[i].id);
    CHECK(h2[i].serial == h0[i].serial);
    CHECK(h2[i].time == h0[i].time);
    CHECK(h2[i].action == h0[i].action);
    CHECK(h2[i].address == h0[i].address);
    CHECK(h2[i].journal_id == h0[i].journal_id);
    CHECK(h2[i].previous == h0[i].previous);
  }
  // A copy into a second PG workspace keeps the same journal ids next to the
  // first one's, and both go on writing.
  auto pg2 = open_pg_state(schema.conninfo(), "second");
  copy_state(*src, *pg2);
  int64_t a = pg->journal_intent("r", "server.a", "purchase", "d", Json::object());
  int64_t b = pg2->journal_intent("r", "server.a", "purchase", "d", Json::object());
  CHECK(a > id);
  CHECK(b > id);
  CHECK(pg->meta().serial == src->meta().serial + 1);
}

TEST_CASE("pg: 8 concurrent writers serialize through lock() without losing an update", "[pg][lock][concurrency]") {
  PgSchema schema;
  constexpr int kWriters = 8, kRounds = 5;
  {
    auto init = open_pg_state(schema.conninfo(), "shared");
    init->put_resource(row("counter.c", {{"n", 0}}));
  }
  std::atomic<int> lock_held_seen{0}, bad{0};
  std::mutex m;
  std::vector<std::string> errors;
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> g(m);
    errors.push_back(what);
    ++bad;
  };
  std::set<std::string> names;
  for (int w = 0; w < kWriters; ++w) names.insert("writer-" + std::to_string(w));

  auto writer = [&](int w) {
    try {
      const std::string me = "writer-" + std::to_string(w);
      auto store = open_pg_state(schema.conninfo(), "shared");
      for (int round = 0; round < kRounds; ++round) {
        std::string id;
        try {
          id = store->lock(me, "apply", 60s, 0ms);  // likely taken: see who holds it
        } catch (const LockHeld& e) {
          ++lock_held_seen;
          if (!names.count(e.holder.holder) || e.holder.holder == me || e.holder.id.empty())
            fail(me + " was told the holder is \"" + e.holder.holder + "\"");
          if (std::string(e.what()).find(e.holder.holder) == std::string::npos) fail("message lacks the holder");
          id = store->lock(me, "apply", 60s, 60s);
        }
        // Read-modify-write that would lose updates without the lock.
        int n = store->resource("counter.c")->attributes["n"].get<int>();
        std::this_thread::sleep_for(2ms);
        store->put_resource(row("counter.c", {{"n", n + 1}, {"last", me}}));
        if (store->current_lock()->holder != me) fail(me + " lost its lock");
        store->unlock(id);
      }
    } catch (const std::exception& e) {
      fail(e.what());
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back(writer, w);
  for (std::thread& t : threads) t.join();

  for (const std::string& e : errors) UNSCOPED_INFO(e);
  CHECK(bad == 0);
  auto store = open_pg_state(schema.conninfo(), "shared");
  CHECK(store->resource("counter.c")->attributes["n"] == kWriters * kRounds);
  CHECK(store->meta().serial == 1 + kWriters * kRounds);
  CHECK(lock_held_seen > 0);  // they did contend
  CHECK_FALSE(store->current_lock());
}

TEST_CASE("pg: two workspaces lock at the same time without waiting", "[pg][lock][workspace]") {
  PgSchema schema;
  auto a = open_pg_state(schema.conninfo(), "team-a");
  auto b = open_pg_state(schema.conninfo(), "team-b");
  auto a2 = open_pg_state(schema.conninfo(), "team-a");
  std::string la = a->lock("alice", "apply", 60s, 0ms);
  auto start = std::chrono::steady_clock::now();
  std::string lb = b->lock("bob", "apply", 60s, 0ms);  // 0ms: would throw if it had to wait
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(a->current_lock()->holder == "alice");
  CHECK(b->current_lock()->holder == "bob");
  CHECK_THROWS_AS(a2->lock("carol", "apply", 60s, 0ms), LockHeld);
  // Writes in one workspace do not wait for the other's lock or writes.
  b->put_resource(row("server.b"));
  a->put_resource(row("server.a"));
  CHECK(a->meta().serial == 1);
  CHECK(b->meta().serial == 1);
  a->unlock(la);
  b->unlock(lb);
}

TEST_CASE("pg: a holder killed with SIGKILL releases its lock", "[pg][lock]") {
  PgSchema schema;
  std::string conninfo = schema.conninfo();
  auto waiter = open_pg_state(conninfo, "default");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(ready[0]);
    try {
      auto holder = open_pg_state(conninfo, "default");
      holder->lock("doomed pid " + std::to_string(getpid()), "apply", 3600s, 0ms);
      char c = 'x';
      if (write(ready[1], &c, 1) != 1) _exit(2);
      for (;;) pause();  // holds the lock until killed
    } catch (...) {
      _exit(3);
    }
  }
  // Whatever happens below, the child must not outlive the test.
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
  } reaper{pid};
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);

  std::string doomed = "doomed pid " + std::to_string(pid);
  try {
    waiter->lock("next", "apply", 60s, 200ms);
    FAIL("the child holds the lock");
  } catch (const LockHeld& e) {
    CHECK(e.holder.holder == doomed);
  }
  REQUIRE(kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  reaper.pid = 0;
  CHECK(WIFSIGNALED(status));

  // The server notices the closed connection and drops its advisory lock; the
  // row it left behind no longer counts.
  auto start = std::chrono::steady_clock::now();
  std::string id = waiter->lock("next", "apply", 60s, 20s);
  INFO("took over after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start).count() << " ms");
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(waiter->current_lock()->holder == "next");
  CHECK(waiter->current_lock()->id == id);
  waiter->unlock(id);
}

TEST_CASE("pg: force-unlock ends the stuck holder's connection", "[pg][lock]") {
  PgSchema schema;
  auto stuck = open_pg_state(schema.conninfo(), "default");
  auto admin = open_pg_state(schema.conninfo(), "default");
  std::string id = stuck->lock("stuck", "apply", 60s, 0ms);
  admin->unlock(id);
  CHECK_FALSE(admin->current_lock());
  // The stuck holder must not write on as if it still held the lock.
  CHECK_THROWS(stuck->put_resource(row("server.late")));
  CHECK_FALSE(admin->resource("server.late"));
  std::string mine = admin->lock("admin", "apply", 60s, 5s);
  admin->unlock(mine);
}

TEST_CASE("pg: stores opening a fresh database at once migrate it exactly once", "[pg][migrations]") {
  PgSchema schema;
  std::mutex m;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      try {
        open_pg_state(schema.conninfo(), "ws" + std::to_string(i % 2))->put_resource(row("server.x" + std::to_string(i)));
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> g(m);
        errors.push_back(e.what());
      }
    });
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) UNSCOPED_INFO(e);
  CHECK(errors.empty());
  BackendConfig config;
  config.type = "pg";
  config.pg_conn = schema.conninfo();
  CHECK(list_workspaces(config) == std::vector<std::string>{"default", "ws0", "ws1"});
  CHECK(open_pg_state(schema.conninfo(), "ws0")->meta().serial == 3);
}

TEST_CASE("pg: a postgres:// URL connects like a key=value string", "[pg]") {
  const char* url = std::getenv("CPHFORM_TEST_PG_URL");
  REQUIRE(url);
  REQUIRE(std::string(url).rfind("postgresql://", 0) == 0);
  auto by_url = open_pg_state(url, "url-test");
  by_url->put_resource(row("server.u"));
  auto by_keys = open_pg_state(test_pg_conninfo(), "url-test");
  CHECK(by_keys->resource("server.u"));
  CHECK(by_keys->meta().lineage == by_url->meta().lineage);
  BackendConfig config;
  config.type = "pg";
  config.pg_conn = url;
  delete_workspace(config, "url-test", true);
}

TEST_CASE("pg: a bad connection string fails with libpq's reason", "[pg]") {
  CHECK_THROWS_WITH(open_pg_state("host=/nonexistent-dir port=1 connect_timeout=2"),
                    Catch::Contains("cannot connect to the PostgreSQL state backend"));
  CHECK_THROWS_AS(open_pg_state(test_pg_conninfo(), "bad name"), std::invalid_argument);
}
