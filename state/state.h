// The recorded state: what cphform manages and what it was doing. One
// interface, several backends (SQLite now, PostgreSQL later), in the manner
// of Terraform's state managers. State is rows, not a blob: every resource
// instance is its own row, committed the moment that resource finishes.
//
// Secrets never reach state: callers store only non-secret attributes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::state {

using Json = nlohmann::json;

struct Meta {
  std::string lineage;   // random id fixed when the state is created
  int64_t serial = 0;    // bumped by every committed write
  int schema_version = 0;
};

// One resource instance ("server.web[0]").
struct ResourceRow {
  std::string address;                    // "server.web[0]" or "server.db"
  std::string type;                       // "server"
  std::string cloud_id;                   // the id in the cloud ("" when none)
  Json attributes = Json::object();       // last known attributes (no secrets)
  std::vector<std::string> dependencies;  // addresses this one depends on
  std::string updated_at;                 // ISO-8601 UTC, set by the store
};

// Write-ahead journal of mutating cloud calls (ARCHITECTURE decision 3).
// Lifecycle: intent (committed before the call is sent) -> answered (the
// response ids, committed on arrival) -> done | failed. An entry that is not
// done/failed at the start of a run is resumed or reconciled, never re-sent
// blindly.
enum class JournalStatus { intent, answered, done, failed };
std::string to_string(JournalStatus);
JournalStatus journal_status_from_string(const std::string&);

struct JournalEntry {
  int64_t id = 0;
  std::string run_id;
  std::string address;        // resource address, or a group like "server.web[0..1]"
  std::string operation;      // "purchase", "rename", "unsubscribe", ...
  std::string request_digest; // sha256 of the request body as sent
  Json intent = Json::object();   // idempotency data: expected names, instances, ...
  Json response = Json::object(); // ids as they arrived: order_id, server_ids, ...
  JournalStatus status = JournalStatus::intent;
  std::string error;          // for failed entries
  std::string created_at;
  std::string updated_at;
};

// Who holds the write lock.
struct LockInfo {
  std::string id;         // random, used by force-unlock
  std::string holder;     // "user@host pid 1234"
  std::string operation;  // "apply", "destroy", ...
  std::string created_at;
  std::string expires_at;
};

struct LockHeld : std::runtime_error {
  explicit LockHeld(LockInfo holder);
  LockInfo holder;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual Meta meta() = 0;
  virtual std::vector<ResourceRow> resources() = 0;  // ordered by address
  virtual std::optional<ResourceRow> resource(const std::string& address) = 0;

  // Each of these is one committed transaction and bumps the serial.
  virtual void put_resource(const ResourceRow& row) = 0;
  virtual void remove_resource(const std::string& address) = 0;

  // Journal. Each call commits before returning.
  virtual int64_t journal_intent(const std::string& run_id, const std::string& address,
                                 const std::string& operation, const std::string& request_digest,
                                 const Json& intent) = 0;
  virtual void journal_answered(int64_t id, const Json& response) = 0;
  // Marks the entry done and, in the same transaction, writes the given rows
  // and removes the given addresses: a resource and its journal never disagree.
  virtual void journal_done(int64_t id, const std::vector<ResourceRow>& put,
                            const std::vector<std::string>& remove) = 0;
  virtual void journal_failed(int64_t id, const std::string& error) = 0;
  virtual std::vector<JournalEntry> open_journal() = 0;  // intent or answered, oldest first
  virtual std::vector<JournalEntry> journal(int64_t limit) = 0;  // newest first

  // Write lock with expiry. Waits up to `wait`, then throws LockHeld naming
  // the holder. An expired lock is taken over. Returns the lock id.
  virtual std::string lock(const std::string& holder, const std::string& operation,
                           std::chrono::seconds ttl, std::chrono::milliseconds wait) = 0;
  virtual void refresh_lock(const std::string& id, std::chrono::seconds ttl) = 0;
  virtual void unlock(const std::string& id) = 0;
  virtual std::optional<LockInfo> current_lock() = 0;
};

// Opens (creating if needed) a SQLite state file in WAL mode and runs the
// schema migrations up to the current version.
std::unique_ptr<StateStore> open_sqlite_state(const std::string& path);

// RAII holder of the write lock.
class ScopedLock {
 public:
  ScopedLock(StateStore& store, const std::string& holder, const std::string& operation,
             std::chrono::seconds ttl, std::chrono::milliseconds wait);
  ~ScopedLock();
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;
  const std::string& id() const { return id_; }

 private:
  StateStore& store_;
  std::string id_;
};

}  // namespace cph::state
