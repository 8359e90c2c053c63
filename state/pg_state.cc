// The PostgreSQL state backend: the StateStore contract over libpq, for teams
// and CI fleets sharing one database. One connection per StateStore.
//
// Every write is one transaction that starts by bumping the workspace's
// serial (UPDATE ... RETURNING): the row lock this takes queues writers of
// the same workspace until the first commits, so each write sees the one
// before it and gets its own serial, while other workspaces write in
// parallel. Transactions run in READ COMMITTED, where every statement after
// that UPDATE sees everything committed before the lock was granted.
#include <algorithm>

#include "common/crypto.h"
#include "common/timefmt.h"
#include "state/pg_conn.h"
#include "state/pg_lock.h"
#include "state/pg_migrations.h"
#include "state/pg_state.h"
#include "state/pg_rows.h"
#include "state/state.h"

namespace cph::state {
namespace {

using namespace pg_detail;

// The limit parameter of a "newest first" read: NULL is no limit.
pg::Param limit_param(int64_t limit) { return limit < 0 ? pg::Param{} : pg::param(limit); }

void ensure_workspace(pg::Conn& conn, const std::string& workspace) {
  conn.exec("INSERT INTO cphform_meta (workspace, lineage, serial, created_at) VALUES ($1, $2, 0, $3) "
            "ON CONFLICT (workspace) DO NOTHING",
            {workspace, crypto::random_hex(16), iso8601_utc(now_epoch_seconds())});
}

class PgState final : public StateStore {
 public:
  PgState(const std::string& conninfo, const std::string& workspace)
      : conn_(conninfo), ws_(workspace), schema_version_(migrate(conn_)), lock_(conn_, ws_) {
    ensure_workspace(conn_, ws_);
  }

  Meta meta() override {
    pg::Result r = conn_.exec("SELECT lineage, serial FROM cphform_meta WHERE workspace = $1", {ws_});
    if (r.rows() == 0) throw gone();
    return Meta{r.text(0, 0), r.integer(0, 1), schema_version_};
  }

  std::optional<std::string> setting(const std::string& key) override {
    pg::Result r = conn_.exec("SELECT value FROM cphform_settings WHERE workspace = $1 AND key = $2", {ws_, key});
    if (r.rows() == 0) return std::nullopt;
    return r.text(0, 0);
  }

  void put_setting(const std::string& key, const std::string& value) override {
    conn_.exec("INSERT INTO cphform_settings (workspace, key, value) VALUES ($1, $2, $3) "
               "ON CONFLICT (workspace, key) DO UPDATE SET value = excluded.value",
               {ws_, key, value});
  }

  std::vector<ResourceRow> resources() override {
    pg::Result r = conn_.exec(std::string(kResourceColumns) + " WHERE workspace = $1 ORDER BY address", {ws_});
    std::vector<ResourceRow> rows;
    for (int i = 0; i < r.rows(); ++i) rows.push_back(read_resource(r, i));
    return rows;
  }

  std::optional<ResourceRow> resource(const std::string& address) override {
    pg::Result r = conn_.exec(std::string(kResourceColumns) + " WHERE workspace = $1 AND address = $2", {ws_, address});
    if (r.rows() == 0) return std::nullopt;
    return read_resource(r, 0);
  }

  void put_resource(const ResourceRow& row) override {
    check_row(row);
    pg::Transaction tx(conn_);
    Change c = begin_change();
    write_row(c, row, std::nullopt);
    tx.commit();
  }

  void remove_resource(const std::string& address) override {
    pg::Transaction tx(conn_);
    Change c = begin_change();
    delete_row(c, address, std::nullopt);
    tx.commit();
  }

  int64_t journal_intent(const std::string& run_id, const std::string& address, const std::string& operation,
                         const std::string& request_digest, const Json& intent) override {
    require_object(intent, "intent", "journal entry for " + address);
    std::string intent_text = dump_json(intent, "intent", "journal entry for " + address);
    pg::Transaction tx(conn_);
    Change c = begin_change();
    pg::Result r = conn_.exec(
        "INSERT INTO cphform_journal (workspace, run_id, address, operation, request_digest, intent, response, "
        "status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '{}', 'intent', $7, $7) RETURNING id",
        {ws_, run_id, address, operation, request_digest, intent_text, c.time});
    int64_t id = r.integer(0, 0);
    record_history(c, "journal:intent", address, id, std::nullopt);
    tx.commit();
    return id;
  }

  // Answers accumulate, as on SQLite: later keys replace earlier ones.
  void journal_answered(int64_t id, const Json& response) override {
    std::string key = "journal entry " + std::to_string(id);
    require_object(response, "response", key);
    pg::Transaction tx(conn_);
    Change c = begin_change();
    JournalEntry e = open_entry(id, "answered");
    e.response.update(response);
    conn_.exec("UPDATE cphform_journal SET status = 'answered', response = $3, updated_at = $4 "
               "WHERE workspace = $1 AND id = $2",
               {ws_, pg::param(id), dump_json(e.response, "response", key), c.time});
    record_history(c, "journal:answered", e.address, id, std::nullopt);
    tx.commit();
  }

  void journal_done(int64_t id, const std::vector<ResourceRow>& put,
                    const std::vector<std::string>& remove) override {
    for (const ResourceRow& row : put) check_row(row);
    pg::Transaction tx(conn_);
    Change c = begin_change();
    JournalEntry e = open_entry(id, "done");
    for (const ResourceRow& row : put) write_row(c, row, id);
    for (const std::string& address : remove) delete_row(c, address, id);
    finish_entry(c, e, JournalStatus::done, "");
    tx.commit();
  }

  void journal_failed(int64_t id, const std::string& error) override {
    pg::Transaction tx(conn_);
    Change c = begin_change();
    JournalEntry e = open_entry(id, "failed");
    finish_entry(c, e, JournalStatus::failed, error);
    tx.commit();
  }

  std::vector<JournalEntry> open_journal() override {
    return read_journal(" AND status IN ('intent', 'answered') ORDER BY id", {});
  }

  std::vector<JournalEntry> journal(int64_t limit) override {
    return read_journal(" ORDER BY id DESC LIMIT $2", {limit_param(limit)});
  }

  std::string lock(const std::string& holder, const std::string& operation, std::chrono::seconds ttl,
                   std::chrono::milliseconds wait) override {
    return lock_.lock(holder, operation, ttl, wait);
  }
  void refresh_lock(const std::string& id, std::chrono::seconds ttl) override { lock_.refresh(id, ttl); }
  void unlock(const std::string& id) override { lock_.unlock(id); }
  std::optional<LockInfo> current_lock() override { return lock_.current(); }

  std::vector<HistoryEntry> history(int64_t limit) override {
    pg::Result r = conn_.exec(std::string(kHistoryColumns) + " WHERE workspace = $1 ORDER BY id DESC LIMIT $2",
                              {ws_, limit_param(limit)});
    std::vector<HistoryEntry> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_history(r, i));
    return out;
  }

  Snapshot snapshot() override {
    pg::Transaction tx(conn_, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Snapshot s;
    s.meta = meta();
    s.resources = resources();
    s.journal = read_journal(" ORDER BY id", {});
    pg::Result h = conn_.exec(std::string(kHistoryColumns) + " WHERE workspace = $1 ORDER BY id", {ws_});
    for (int i = 0; i < h.rows(); ++i) s.history.push_back(read_history(h, i));
    tx.commit();
    return s;
  }

  void restore(const Snapshot& from) override {
    pg::Transaction tx(conn_);
    pg::Result m = conn_.exec("UPDATE cphform_meta SET lineage = $2, serial = $3 WHERE workspace = $1 RETURNING 1",
                              {ws_, from.meta.lineage, pg::param(from.meta.serial)});
    if (m.rows() == 0) throw gone();
    for (const char* table : {"cphform_resources", "cphform_journal", "cphform_history"})
      conn_.exec(std::string("DELETE FROM ") + table + " WHERE workspace = $1", {ws_});
    for (const ResourceRow& r : from.resources) insert_resource(r, r.updated_at);
    for (const JournalEntry& e : from.journal) insert_entry(conn_, ws_, e);
    for (const HistoryEntry& h : from.history) insert_history(conn_, ws_, h);
    // Copied ids must never be handed out again to this workspace.
    for (const char* table : {"cphform_journal", "cphform_history"})
      conn_.exec(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', 'id'), "
                 "greatest((SELECT coalesce(max(id), 0) FROM " + table + "), "
                 "nextval(pg_get_serial_sequence('" + table + "', 'id'))))");
    tx.commit();
  }

 private:
  struct Change {
    int64_t serial;
    std::string time;
  };

  std::runtime_error gone() const {
    return std::runtime_error("PostgreSQL state workspace \"" + ws_ + "\" no longer exists (it was deleted)");
  }

  // Must run first in the write transaction: it takes the workspace's row lock.
  Change begin_change() {
    pg::Result r =
        conn_.exec("UPDATE cphform_meta SET serial = serial + 1 WHERE workspace = $1 RETURNING serial", {ws_});
    if (r.rows() == 0) throw gone();
    return Change{r.integer(0, 0), iso8601_utc(now_epoch_seconds())};
  }

  std::vector<JournalEntry> read_journal(const std::string& tail, const std::vector<pg::Param>& extra) {
    std::vector<pg::Param> params{ws_};
    params.insert(params.end(), extra.begin(), extra.end());
    pg::Result r = conn_.exec(std::string(kJournalColumns) + " WHERE workspace = $1" + tail, params);
    std::vector<JournalEntry> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_entry(r, i));
    return out;
  }

  void record_history(const Change& c, const char* action, const std::string& address,
                      std::optional<int64_t> journal_id, const std::optional<Json>& previous) {
    HistoryEntry h;
    h.serial = c.serial;
    h.time = c.time;
    h.action = action;
    h.address = address;
    h.journal_id = journal_id;
    h.previous = previous;
    insert_history(conn_, ws_, h);
  }

  // The resource before a change, in the shape SQLite's history keeps.
  std::optional<Json> previous_of(const std::string& address) {
    std::optional<ResourceRow> old = resource(address);
    if (!old) return std::nullopt;
    return Json{{"type", old->type},
                {"cloud_id", old->cloud_id},
                {"attributes", old->attributes},
                {"dependencies", old->dependencies},
                {"updated_at", old->updated_at}};
  }

  void insert_resource(const ResourceRow& row, const std::string& time) {
    conn_.exec(R"(
        INSERT INTO cphform_resources (workspace, address, type, cloud_id, attributes, dependencies, updated_at,
                                       provider)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (workspace, address) DO UPDATE SET type = excluded.type, cloud_id = excluded.cloud_id,
          attributes = excluded.attributes, dependencies = excluded.dependencies, updated_at = excluded.updated_at,
          provider = excluded.provider)",
               {ws_, row.address, row.type, row.cloud_id, dump_json(row.attributes, "attributes", row.address),
                dump_json(Json(row.dependencies), "dependencies", row.address), time, row.provider});
  }

  void write_row(const Change& c, const ResourceRow& row, std::optional<int64_t> journal_id) {
    std::optional<Json> previous = previous_of(row.address);
    record_history(c, previous ? "update" : "create", row.address, journal_id, previous);
    insert_resource(row, c.time);
  }

  // Removing an absent address is not an error; the write still counts.
  void delete_row(const Change& c, const std::string& address, std::optional<int64_t> journal_id) {
    record_history(c, "delete", address, journal_id, previous_of(address));
    conn_.exec("DELETE FROM cphform_resources WHERE workspace = $1 AND address = $2", {ws_, address});
  }

  JournalEntry open_entry(int64_t id, const char* to) {
    pg::Result r =
        conn_.exec(std::string(kJournalColumns) + " WHERE workspace = $1 AND id = $2", {ws_, pg::param(id)});
    if (r.rows() == 0)
      throw std::invalid_argument("no journal entry " + std::to_string(id) + " in workspace " + ws_);
    JournalEntry e = read_entry(r, 0);
    if (!is_open(e.status))
      throw std::logic_error("journal entry " + std::to_string(id) + " (" + e.operation + " " + e.address +
                             ") is already " + to_string(e.status) + "; it cannot become " + to);
    return e;
  }

  void finish_entry(const Change& c, const JournalEntry& e, JournalStatus status, const std::string& error) {
    conn_.exec("UPDATE cphform_journal SET status = $3, error = $4, updated_at = $5 WHERE workspace = $1 AND id = $2",
               {ws_, pg::param(e.id), to_string(status), error, c.time});
    record_history(c, status == JournalStatus::done ? "journal:done" : "journal:failed", e.address, e.id,
                   std::nullopt);
  }

  pg::Conn conn_;
  std::string ws_;
  int schema_version_;
  WorkspaceLock lock_;
};

}  // namespace

std::unique_ptr<StateStore> open_pg_state(const std::string& conninfo, const std::string& workspace) {
  validate_workspace_name(workspace);
  return std::make_unique<PgState>(conninfo, workspace);
}

namespace pg_detail {

std::vector<std::string> list_workspaces(const std::string& conninfo) {
  pg::Conn conn(conninfo);
  migrate(conn);
  pg::Result r = conn.exec("SELECT workspace FROM cphform_meta");
  std::vector<std::string> names{kDefaultWorkspace};
  for (int i = 0; i < r.rows(); ++i)
    if (r.text(i, 0) != kDefaultWorkspace) names.push_back(r.text(i, 0));
  std::sort(names.begin(), names.end());
  return names;
}

void create_workspace(const std::string& conninfo, const std::string& name) {
  pg::Conn conn(conninfo);
  migrate(conn);
  pg::Result before = conn.exec("SELECT 1 FROM cphform_meta WHERE workspace = $1", {name});
  if (name == kDefaultWorkspace || before.rows() > 0)
    throw std::runtime_error("workspace \"" + name + "\" already exists");
  pg::Result r = conn.exec("INSERT INTO cphform_meta (workspace, lineage, serial, created_at) VALUES ($1, $2, 0, $3) "
                           "ON CONFLICT (workspace) DO NOTHING RETURNING 1",
                           {name, crypto::random_hex(16), iso8601_utc(now_epoch_seconds())});
  if (r.rows() == 0) throw std::runtime_error("workspace \"" + name + "\" already exists");
}

void delete_workspace(const std::string& conninfo, const std::string& name, bool force) {
  pg::Conn conn(conninfo);
  migrate(conn);
  pg::Transaction tx(conn);
  pg::Result meta = conn.exec("SELECT 1 FROM cphform_meta WHERE workspace = $1 FOR UPDATE", {name});
  if (meta.rows() == 0) throw std::runtime_error("workspace \"" + name + "\" does not exist");
  // A transaction-level advisory lock conflicts with a holder's session lock
  // and ends with this transaction.
  int64_t key = advisory_key(conn, "workspace:" + name);
  if (!conn.exec("SELECT pg_try_advisory_xact_lock($1::bigint)", {std::to_string(key)}).boolean(0, 0)) {
    std::optional<LockInfo> holder = live_lock(conn, name, key);
    throw LockHeld(holder ? *holder : LockInfo{"", "another cphform (its lock row is not committed yet)", "", "", ""});
  }
  if (!force) {
    pg::Result rows = conn.exec("SELECT count(*) FROM cphform_resources WHERE workspace = $1", {name});
    pg::Result open = conn.exec(
        "SELECT count(*) FROM cphform_journal WHERE workspace = $1 AND status IN ('intent', 'answered')", {name});
    if (rows.integer(0, 0) > 0 || open.integer(0, 0) > 0)
      throw std::runtime_error("workspace \"" + name + "\" still has " + rows.text(0, 0) + " resource(s) and " +
                               open.text(0, 0) +
                               " unfinished journal entr(ies); destroy them first, or force the delete");
  }
  conn.exec("DELETE FROM cphform_meta WHERE workspace = $1", {name});
  tx.commit();
}

}  // namespace pg_detail
}  // namespace cph::state
