#include "state/pg_lock.h"

#include <algorithm>
#include <thread>

#include "common/crypto.h"
#include "common/timefmt.h"
#include "state/pg_migrations.h"

namespace cph::state::pg_detail {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting lock() tries again: a released lock is picked up
// promptly without keeping the server busy.
constexpr std::chrono::milliseconds kLockPoll{50};
// The holder takes the advisory lock a moment before its row is committed. A
// waiter whose time is up in that moment looks a little longer, so that its
// LockHeld can name the holder.
constexpr std::chrono::milliseconds kNameGrace{2000};

// pg_locks shows a bigint advisory key as its high half in classid and its
// low half in objid (objsubid 1).
constexpr const char* kHeldBy = R"(
    SELECT p.pid FROM pg_locks p
    WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 1
      AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND p.classid = $1::bigint::oid AND p.objid = $2::bigint::oid)";

std::vector<pg::Param> key_halves(int64_t key) {
  auto bits = static_cast<uint64_t>(key);
  return {pg::param(static_cast<int64_t>(bits >> 32)), pg::param(static_cast<int64_t>(bits & 0xffffffffu))};
}

}  // namespace

std::optional<LockInfo> live_lock(pg::Conn& conn, const std::string& workspace, int64_t key) {
  std::vector<pg::Param> params = key_halves(key);
  params.push_back(pg::param(workspace));
  pg::Result r = conn.exec(std::string(R"(
      SELECT id, holder, operation, created_at, expires_at FROM cphform_locks
      WHERE workspace = $3 AND backend_pid IN ()").append(kHeldBy).append(")"),
                           params);
  if (r.rows() == 0) return std::nullopt;
  return LockInfo{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3), r.text(0, 4)};
}

WorkspaceLock::WorkspaceLock(pg::Conn& conn, std::string workspace)
    : conn_(conn), workspace_(std::move(workspace)), key_(advisory_key(conn, "workspace:" + workspace_)) {}

// Locks are coordination, not state content: they never bump the serial.
std::string WorkspaceLock::lock(const std::string& holder, const std::string& operation, std::chrono::seconds ttl,
                                std::chrono::milliseconds wait) {
  if (ttl.count() < 0) throw std::invalid_argument("lock ttl must not be negative");
  const Clock::time_point deadline = Clock::now() + wait;
  const std::string key = std::to_string(key_);
  for (;;) {
    if (!held_ && conn_.exec("SELECT pg_try_advisory_lock($1::bigint)", {key}).boolean(0, 0)) {
      held_ = true;
      try {
        int64_t now = now_epoch_seconds();
        LockInfo mine{crypto::random_hex(16), holder, operation, iso8601_utc(now), iso8601_utc(now + ttl.count())};
        pg::Transaction tx(conn_);
        conn_.exec("DELETE FROM cphform_locks WHERE workspace = $1", {workspace_});
        conn_.exec("INSERT INTO cphform_locks (workspace, id, holder, operation, created_at, expires_at, backend_pid) "
                   "VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid())",
                   {workspace_, mine.id, mine.holder, mine.operation, mine.created_at, mine.expires_at});
        tx.commit();
        return mine.id;
      } catch (...) {
        // A session lock outlives the rolled-back transaction: give it back.
        try {
          conn_.exec("SELECT pg_advisory_unlock($1::bigint)", {key});
        } catch (...) {
        }
        held_ = false;
        throw;
      }
    }
    Clock::time_point now = Clock::now();
    if (now >= deadline) {
      if (std::optional<LockInfo> named = holder_or_unknown()) throw LockHeld(*named);
      continue;  // released meanwhile: try once more
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(kLockPoll, deadline - now));
  }
}

// The holder to name in LockHeld, waiting briefly for a holder's row to be
// committed. nullopt when the lock turns out to be free.
std::optional<LockInfo> WorkspaceLock::holder_or_unknown() {
  const Clock::time_point give_up = Clock::now() + kNameGrace;
  for (;;) {
    if (std::optional<LockInfo> info = live_lock(conn_, workspace_, key_)) return info;
    pg::Result pids = conn_.exec(kHeldBy, key_halves(key_));
    if (pids.rows() == 0) return std::nullopt;
    if (Clock::now() >= give_up)
      return LockInfo{"", "an unknown holder (PostgreSQL backend pid " + pids.text(0, 0) + ")", "", "", ""};
    std::this_thread::sleep_for(kLockPoll);
  }
}

void WorkspaceLock::refresh(const std::string& id, std::chrono::seconds ttl) {
  if (ttl.count() < 0) throw std::invalid_argument("lock ttl must not be negative");
  pg::Result r = conn_.exec(
      "UPDATE cphform_locks SET expires_at = $3 WHERE workspace = $1 AND id = $2 AND backend_pid = pg_backend_pid() "
      "RETURNING id",
      {workspace_, id, iso8601_utc(now_epoch_seconds() + ttl.count())});
  if (r.rows() == 1 && held_) return;
  // Force-unlocked (and then taken by someone else, or free): stop writing.
  if (std::optional<LockInfo> other = current()) throw LockHeld(*other);
  throw std::runtime_error("lock " + id + " of workspace " + workspace_ +
                           " is no longer held (it was released or force-unlocked)");
}

// Our own id releases the advisory lock. Another holder's id is a
// force-unlock: its row goes and its connection is terminated, which is what
// frees its session lock. An id that is no longer current is a no-op.
void WorkspaceLock::unlock(const std::string& id) {
  pg::Result r =
      conn_.exec("SELECT backend_pid FROM cphform_locks WHERE workspace = $1 AND id = $2", {workspace_, id});
  if (r.rows() == 0) return;
  if (r.integer(0, 0) == conn_.backend_pid() && held_) {
    conn_.exec("DELETE FROM cphform_locks WHERE workspace = $1 AND id = $2", {workspace_, id});
    conn_.exec("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key_)});
    held_ = false;
    return;
  }
  conn_.exec("DELETE FROM cphform_locks WHERE workspace = $1 AND id = $2", {workspace_, id});
  std::vector<pg::Param> params = key_halves(key_);
  params.push_back(pg::param(r.integer(0, 0)));
  conn_.exec(std::string("SELECT pg_terminate_backend($3::integer, 5000) WHERE $3::integer IN (").append(kHeldBy).append(")"),
             params);
}

std::optional<LockInfo> WorkspaceLock::current() { return live_lock(conn_, workspace_, key_); }

}  // namespace cph::state::pg_detail
