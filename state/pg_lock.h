// The write lock of one PostgreSQL workspace. Internal to the PG backend.
//
// The lock itself is a session-level advisory lock on the workspace's key:
// PostgreSQL releases it the moment the holder's connection ends, so a killed
// apply never leaves the workspace locked. A row in cphform_locks names the
// holder for others; it counts only while its backend still holds the
// advisory lock (checked in pg_locks), so the row a killed holder leaves
// behind is ignored and replaced by the next holder.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "state/pg_conn.h"
#include "state/state.h"

namespace cph::state::pg_detail {

class WorkspaceLock {
 public:
  WorkspaceLock(pg::Conn& conn, std::string workspace);

  std::string lock(const std::string& holder, const std::string& operation, std::chrono::seconds ttl,
                   std::chrono::milliseconds wait);
  void refresh(const std::string& id, std::chrono::seconds ttl);
  void unlock(const std::string& id);
  std::optional<LockInfo> current();

  int64_t key() const { return key_; }

 private:
  std::optional<LockInfo> holder_or_unknown();

  pg::Conn& conn_;
  std::string workspace_;
  int64_t key_;
  bool held_ = false;  // advisory locks are re-entrant per session; ours is not
};

// The live holder of `workspace`'s lock (whose advisory key is `key`), if any.
std::optional<LockInfo> live_lock(pg::Conn& conn, const std::string& workspace, int64_t key);

}  // namespace cph::state::pg_detail
