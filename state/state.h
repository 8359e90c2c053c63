// The recorded state: what cphform manages and what it was doing. One
// interface, several backends (SQLite and PostgreSQL), in the manner
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
  // The provider instance that owns the object ([provider.east] -> "east").
  // "" is the provider named after its type ([provider], or [provider.cph]):
  // every row written before providers had names means that one, and a
  // configuration with a single [provider] keeps writing "".
  std::string provider = {};
};

// Write-ahead journal of mutating cloud calls (ARCHITECTURE decision 3).
// Lifecycle: intent (committed before the call is sent) -> answered (the
// response ids, committed on arrival) -> done | failed. An entry that is not
// done/failed at the start of a run is resumed or reconciled, never re-sent
// blindly.
enum class JournalStatus { intent, answered, done, failed };
std::string to_string(JournalStatus);
JournalStatus journal_status_from_string(const std::string&);
// Open: not yet done or failed, so a later run resumes or reconciles it.
inline bool is_open(JournalStatus s) { return s == JournalStatus::intent || s == JournalStatus::answered; }

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

// One row of the change history. Every committed write adds one or more rows
// with its serial (a journal_done that writes two resources adds three).
struct HistoryEntry {
  int64_t id = 0;                  // increasing in commit order within one state
  int64_t serial = 0;              // the serial the write produced
  std::string time;                // ISO-8601 UTC
  std::string action;              // create, update, delete, journal:intent,
                                   // journal:answered, journal:done, journal:failed
  std::string address;             // resource (or journal entry) address
  std::optional<int64_t> journal_id;  // the journal entry the change belongs to
  // For create/update/delete: the resource as it was before the change
  // ({type, cloud_id, attributes, dependencies, updated_at}); nullopt when it
  // did not exist, and for journal actions.
  std::optional<Json> previous;
};

// Everything a state holds except its lock, read in one consistent snapshot.
// Used to copy a state between backends and workspaces.
struct Snapshot {
  Meta meta;                           // schema_version is the source's; not copied
  std::vector<ResourceRow> resources;  // ordered by address
  std::vector<JournalEntry> journal;   // oldest first
  std::vector<HistoryEntry> history;   // oldest first
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
  // the holder. An expired lock is taken over (on SQLite; PostgreSQL ties
  // the lock to the holder's connection instead, see open_pg_state). Not
  // re-entrant. Returns the lock id; unlock() with another holder's id is a
  // force-unlock.
  virtual std::string lock(const std::string& holder, const std::string& operation,
                           std::chrono::seconds ttl, std::chrono::milliseconds wait) = 0;
  virtual void refresh_lock(const std::string& id, std::chrono::seconds ttl) = 0;
  virtual void unlock(const std::string& id) = 0;
  virtual std::optional<LockInfo> current_lock() = 0;

  // Change history, newest first; a negative limit means all of it.
  virtual std::vector<HistoryEntry> history(int64_t limit) = 0;

  // Settings of the state that are not resources: what the provider learned
  // once and need not ask again (the project id of a region, issue 17).
  // Not part of the serial, the history or a snapshot: a setting is a cache,
  // and losing it costs one call. Never a secret.
  virtual std::optional<std::string> setting(const std::string& key) = 0;
  virtual void put_setting(const std::string& key, const std::string& value) = 0;

  // Everything but the lock, read in one transaction.
  virtual Snapshot snapshot() = 0;
  // Replaces everything but the lock in one transaction: lineage, serial,
  // resources (with their updated_at), journal (with ids and times) and
  // history. The store's own schema version is kept. Callers hold the lock.
  virtual void restore(const Snapshot& from) = 0;
};

// Copies `from` into `to` (see restore()). Refuses, with std::runtime_error,
// a destination that already has a serial above 0 unless `force`: copying
// over a live state would silently drop it.
void copy_state(StateStore& from, StateStore& to, bool force = false);

// The "state pull" document: {"format_version": 1, "lineage", "serial",
// "resources": [{address, type, cloud_id, attributes, dependencies,
// updated_at}] by address, "journal": [{id, run_id, address, operation,
// request_digest, intent, response, status, error, created_at, updated_at}]
// oldest first}. Two states hold the same content iff their exports dump to
// the same bytes.
Json export_state(StateStore& store);

// Opens (creating if needed) a SQLite state file in WAL mode and runs the
// schema migrations up to the current version.
std::unique_ptr<StateStore> open_sqlite_state(const std::string& path);

// Connects to PostgreSQL (`conninfo` as in BackendConfig::pg_conn), runs the
// schema migrations and opens `workspace`, creating it on first use.
//
// Locks on PostgreSQL are a session advisory lock per workspace plus a row
// naming the holder: the lock lasts as long as the holder's connection, so a
// killed holder frees it at once. expires_at is recorded and refreshed but an
// expired lock of a live connection is not taken over; unlock() with another
// holder's id (force-unlock) deletes its row and terminates that holder's
// connection, the only way to free a session lock of another session (the
// holder's next write fails instead of writing without the lock).
std::unique_ptr<StateStore> open_pg_state(const std::string& conninfo, const std::string& workspace = "default");

// Where states live and which one to open. The engine builds this from the
// manifest's [backend] table and the environment.
struct BackendConfig {
  std::string type = "sqlite";       // "sqlite" or "pg"
  std::string sqlite_dir;            // sqlite: the data directory (".cphform")
  // pg: a postgres:// URL or "key=value ..." string; empty uses libpq's PG*
  // environment variables. The tables live in the connection's current
  // schema (search_path), so one database can hold several projects.
  std::string pg_conn;
  std::string workspace = "default";
};

// Workspaces: several independent states (own lineage, serial, rows, journal,
// history and lock) per backend. "default" always exists. On SQLite it is
// <sqlite_dir>/state.db (the path of states made before workspaces existed);
// another workspace NAME is <sqlite_dir>/workspaces/NAME/state.db. On
// PostgreSQL every table has a workspace column.
constexpr const char* kDefaultWorkspace = "default";

// Throws std::invalid_argument unless `name` matches ^[A-Za-z0-9_-]{1,64}$.
void validate_workspace_name(const std::string& name);

// Opens config.workspace, creating it (and the database schema) on first use.
std::unique_ptr<StateStore> open_state_store(const BackendConfig& config);

// Sorted; always contains "default".
std::vector<std::string> list_workspaces(const BackendConfig& config);

// Creates an empty workspace; std::runtime_error if it exists already.
void create_workspace(const BackendConfig& config, const std::string& name);

// Deletes a workspace and everything in it. Refuses "default", a workspace
// that does not exist, and (unless `force`) one that still has resources or
// unfinished journal entries. A locked workspace is never deleted: throws
// LockHeld naming the holder.
void delete_workspace(const BackendConfig& config, const std::string& name, bool force = false);

// RAII holder of the write lock.
class ScopedLock {
 public:
  ScopedLock(StateStore& store, const std::string& holder, const std::string& operation,
             std::chrono::seconds ttl, std::chrono::milliseconds wait);
  ~ScopedLock();  // releases the lock if release() did not; errors are swallowed there
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;
  const std::string& id() const { return id_; }
  // Releases the lock now; throws what unlock() threw (a full disk, a busy
  // database), so that a command can report it and exit non-zero instead of
  // leaving its lock row behind in silence. After a failure the destructor
  // tries once more.
  void release();

 private:
  StateStore& store_;
  std::string id_;
  bool released_ = false;
};

}  // namespace cph::state
