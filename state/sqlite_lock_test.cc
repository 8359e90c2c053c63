// Tests of locks and of several StateStores (connections, threads and
// processes) sharing one SQLite state file.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/timefmt.h"
#include "state/state.h"
#include "state/state_test_util.h"

using namespace cph::state;
using namespace cph::state::testing;
using namespace std::chrono_literals;

TEST_CASE("lock, contention, release and ScopedLock", "[state][lock]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto a = open_sqlite_state(path);
  auto b = open_sqlite_state(path);

  std::string id = a->lock("alice@host pid 1", "apply", 60s, 0ms);
  CHECK(is_hex32(id));
  std::optional<LockInfo> info = b->current_lock();
  REQUIRE(info);
  CHECK(info->id == id);
  CHECK(info->holder == "alice@host pid 1");
  CHECK(info->operation == "apply");
  auto created = cph::parse_iso8601_utc(info->created_at), expires = cph::parse_iso8601_utc(info->expires_at);
  REQUIRE(created);
  REQUIRE(expires);
  CHECK(*expires - *created == 60);

  auto start = std::chrono::steady_clock::now();
  try {
    b->lock("bob@host pid 2", "destroy", 60s, 300ms);
    FAIL("lock should be held");
  } catch (const LockHeld& e) {
    CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    CHECK(e.holder.id == id);
    CHECK(e.holder.holder == "alice@host pid 1");
    CHECK(std::string(e.what()).find("alice@host pid 1") != std::string::npos);
    CHECK(std::string(e.what()).find(id) != std::string::npos);
  }
  CHECK_THROWS_AS(a->lock("alice again", "apply", 60s, 0ms), LockHeld);  // not re-entrant

  b->unlock("not-the-lock-id");  // only the holder's id releases it
  CHECK(a->current_lock());

  a->refresh_lock(id, 600s);
  CHECK(*cph::parse_iso8601_utc(a->current_lock()->expires_at) >= cph::now_epoch_seconds() + 599);

  a->unlock(id);
  CHECK_FALSE(b->current_lock());
  {
    ScopedLock held(*b, "bob", "plan", 60s, 0ms);
    CHECK(a->current_lock()->id == held.id());
  }
  CHECK_FALSE(a->current_lock());
}

TEST_CASE("a waiting lock() gets the lock once it is released", "[state][lock]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto a = open_sqlite_state(path);
  auto b = open_sqlite_state(path);
  std::string id = a->lock("alice", "apply", 60s, 0ms);
  std::thread releaser([&] {
    std::this_thread::sleep_for(300ms);
    a->unlock(id);
  });
  std::string mine = b->lock("bob", "apply", 60s, 10s);
  releaser.join();
  CHECK(mine != id);
  CHECK(b->current_lock()->holder == "bob");
}

TEST_CASE("an expired lock is taken over and the old holder learns it", "[state][lock]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto a = open_sqlite_state(path);
  auto b = open_sqlite_state(path);
  std::string old_id = a->lock("crashed", "apply", 0s, 0ms);

  // It lives until the clock passes its expiry second, then bob takes it.
  std::string new_id = b->lock("bob", "apply", 60s, 5s);
  CHECK(new_id != old_id);
  CHECK(a->current_lock()->holder == "bob");

  try {
    a->refresh_lock(old_id, 60s);
    FAIL("refresh of a lost lock must throw");
  } catch (const LockHeld& e) {
    CHECK(e.holder.holder == "bob");
  }
  a->unlock(old_id);  // must not release bob's lock
  CHECK(b->current_lock()->id == new_id);
  b->unlock(new_id);
  CHECK_THROWS_WITH(b->refresh_lock(new_id, 60s), Catch::Contains("no longer held"));
}

TEST_CASE("two stores on one file see each other's writes", "[state][concurrency]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto a = open_sqlite_state(path);
  auto b = open_sqlite_state(path);
  CHECK(a->meta().lineage == b->meta().lineage);

  int64_t id = a->journal_intent("run", "server.web", "purchase", "d", {{"server_name", "web"}});
  REQUIRE(b->open_journal().size() == 1);
  CHECK(b->open_journal()[0].id == id);
  b->journal_answered(id, {{"order_id", "CS1"}});
  CHECK(a->open_journal()[0].response == Json{{"order_id", "CS1"}});
  b->journal_done(id, {row("server.web[0]")}, {});
  CHECK(a->open_journal().empty());
  CHECK(a->resource("server.web[0]"));

  // Alternating writers: the serial goes up by exactly one per write.
  int64_t last = a->meta().serial;
  for (int i = 0; i < 10; ++i) {
    StateStore& s = (i % 2 == 0) ? *a : *b;
    s.put_resource(row("server.n" + std::to_string(i)));
    int64_t seen_a = a->meta().serial, seen_b = b->meta().serial;
    CHECK(seen_a == last + 1);
    CHECK(seen_b == seen_a);
    last = seen_a;
  }
}

TEST_CASE("concurrent writers on separate connections never lose a write", "[state][concurrency]") {
  TempDir tmp;
  std::string path = tmp.file();
  open_sqlite_state(path);
  constexpr int kPerWriter = 40;
  auto writer = [&](const std::string& prefix) {
    auto store = open_sqlite_state(path);
    for (int i = 0; i < kPerWriter; ++i) store->put_resource(row("server." + prefix + std::to_string(i)));
  };
  std::thread t1(writer, "x"), t2(writer, "y");
  t1.join();
  t2.join();

  auto store = open_sqlite_state(path);
  CHECK(store->meta().serial == 2 * kPerWriter);
  CHECK(store->resources().size() == 2 * kPerWriter);
  std::set<int64_t> serials;
  for (const HistoryRow& h : history_of(path)) serials.insert(h.serial);
  CHECK(serials.size() == 2 * kPerWriter);  // no two writes shared a serial
}

TEST_CASE("two processes share one state file", "[state][concurrency]") {
  TempDir tmp;
  std::string path = tmp.file();
  auto parent = open_sqlite_state(path);
  std::string parent_lock = parent->lock("parent", "apply", 60s, 0ms);
  constexpr int kPerWriter = 25;

  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: its own connection. Exit codes tell the parent what it saw.
    int code = 0;
    try {
      auto child = open_sqlite_state(path);
      try {
        child->lock("child", "apply", 60s, 0ms);
        code = 10;  // the parent's lock must be visible here
      } catch (const LockHeld& e) {
        if (e.holder.holder != "parent") code = 11;
      }
      for (int i = 0; code == 0 && i < kPerWriter; ++i) child->put_resource(row("server.child" + std::to_string(i)));
    } catch (...) {
      code = 12;
    }
    _exit(code);
  }
  for (int i = 0; i < kPerWriter; ++i) parent->put_resource(row("server.parent" + std::to_string(i)));
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  CHECK(parent->meta().serial == 2 * kPerWriter);
  CHECK(parent->resources().size() == 2 * kPerWriter);
  parent->unlock(parent_lock);
}
