// The SQLite state backend. One connection per StateStore; several stores (in
// one process or many) may share a file. Every write is one BEGIN IMMEDIATE
// transaction, which takes SQLite's write lock up front: writers queue on the
// busy timeout instead of interleaving, and a write that throws half-way is
// rolled back whole (serial, rows, journal and history alike).
#include <algorithm>
#include <thread>

#include "common/crypto.h"
#include "common/sqlite.h"
#include "common/timefmt.h"
#include "state/columns.h"
#include "state/sqlite_migrations.h"
#include "state/state.h"

namespace cph::state {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting lock() looks again. Short enough that a released lock
// is picked up promptly, long enough not to keep taking the write lock.
constexpr std::chrono::milliseconds kLockPoll{100};

std::string now_iso() { return iso8601_utc(now_epoch_seconds()); }

// Names this backend in "damaged" messages.
constexpr std::string_view kStore = "state file";

Json parse_json(const std::string& text, const char* column, const std::string& key) {
  return columns::parse_json(text, column, key, kStore);
}
using columns::dump_json;
using columns::require_object;

// A lock lives at least its ttl: expires_at has whole-second precision, so it
// only counts as expired once the clock is strictly past it. An unreadable
// expiry cannot be honoured and would block the state forever; treat it as
// expired.
bool expired(const LockInfo& lock) {
  std::optional<int64_t> until = parse_iso8601_utc(lock.expires_at);
  return !until || now_epoch_seconds() > *until;
}

constexpr const char* kResourceColumns =
    "SELECT address, type, cloud_id, attributes, dependencies, updated_at, provider FROM resources";

ResourceRow read_resource(const sql::Stmt& q) {
  ResourceRow row;
  row.address = q.text(0);
  row.type = q.text(1);
  row.cloud_id = q.text(2);
  row.attributes = parse_json(q.text(3), "attributes", row.address);
  row.dependencies = columns::parse_dependencies(q.text(4), row.address, kStore);
  row.updated_at = q.text(5);
  row.provider = q.text(6);
  return row;
}

constexpr const char* kJournalColumns =
    "SELECT id, run_id, address, operation, request_digest, intent, response, status, error, "
    "created_at, updated_at FROM journal";

JournalEntry read_entry(const sql::Stmt& q) {
  JournalEntry e;
  e.id = q.integer(0);
  e.run_id = q.text(1);
  e.address = q.text(2);
  e.operation = q.text(3);
  e.request_digest = q.text(4);
  std::string key = "journal entry " + std::to_string(e.id);
  e.intent = parse_json(q.text(5), "intent", key);
  e.response = parse_json(q.text(6), "response", key);
  e.status = journal_status_from_string(q.text(7));
  e.error = q.text(8);
  e.created_at = q.text(9);
  e.updated_at = q.text(10);
  return e;
}

constexpr const char* kHistoryColumns =
    "SELECT id, serial, time, action, address, journal_id, previous FROM history";

HistoryEntry read_history(const sql::Stmt& q) {
  HistoryEntry h;
  h.id = q.integer(0);
  h.serial = q.integer(1);
  h.time = q.text(2);
  h.action = q.text(3);
  h.address = q.text(4);
  if (!q.is_null(5)) h.journal_id = q.integer(5);
  if (!q.is_null(6)) h.previous = parse_json(q.text(6), "previous", "history row " + std::to_string(h.id));
  return h;
}

class SqliteState final : public StateStore {
 public:
  explicit SqliteState(const std::string& path) : path_(path), db_(path) { sqlite_detail::migrate(db_, path_); }

  Meta meta() override {
    sql::Stmt q(db_, "SELECT lineage, serial, schema_version FROM meta WHERE id = 1");
    if (!q.step()) throw std::runtime_error(path_ + ": state file is damaged: its meta row is missing");
    return Meta{q.text(0), q.integer(1), static_cast<int>(q.integer(2))};
  }

  std::optional<std::string> setting(const std::string& key) override {
    sql::Stmt q(db_, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.text(0);
  }

  void put_setting(const std::string& key, const std::string& value) override {
    sql::Stmt q(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    q.bind(1, key);
    q.bind(2, value);
    q.step();
  }

  std::vector<ResourceRow> resources() override {
    sql::Stmt q(db_, std::string(kResourceColumns) + " ORDER BY address");
    std::vector<ResourceRow> rows;
    while (q.step()) rows.push_back(read_resource(q));
    return rows;
  }

  std::optional<ResourceRow> resource(const std::string& address) override {
    sql::Stmt q(db_, std::string(kResourceColumns) + " WHERE address = ?");
    q.bind(1, address);
    if (!q.step()) return std::nullopt;
    return read_resource(q);
  }

  void put_resource(const ResourceRow& row) override {
    sql::Transaction tx(db_);
    Change c = begin_change();
    write_row(c, row, std::nullopt);
    tx.commit();
  }

  void remove_resource(const std::string& address) override {
    sql::Transaction tx(db_);
    Change c = begin_change();
    delete_row(c, address, std::nullopt);
    tx.commit();
  }

  int64_t journal_intent(const std::string& run_id, const std::string& address, const std::string& operation,
                         const std::string& request_digest, const Json& intent) override {
    require_object(intent, "intent", "journal entry for " + address);
    std::string intent_text = dump_json(intent, "intent", "journal entry for " + address);
    sql::Transaction tx(db_);
    Change c = begin_change();
    sql::Stmt ins(db_,
                  "INSERT INTO journal (run_id, address, operation, request_digest, intent, response, status, "
                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, '{}', 'intent', ?, ?)");
    ins.bind(1, run_id).bind(2, address).bind(3, operation).bind(4, request_digest).bind(5, intent_text);
    ins.bind(6, c.time).bind(7, c.time).exec();
    int64_t id = db_.last_insert_rowid();
    record_history(c, "journal:intent", address, id);
    tx.commit();
    return id;
  }

  // Successive answers accumulate: the order id arrives with the purchase
  // response, the server ids later from the order; keys of a later answer
  // replace the same keys of an earlier one.
  void journal_answered(int64_t id, const Json& response) override {
    std::string key = "journal entry " + std::to_string(id);
    require_object(response, "response", key);
    sql::Transaction tx(db_);
    JournalEntry e = open_entry(id, "answered");
    Change c = begin_change();
    e.response.update(response);
    sql::Stmt up(db_, "UPDATE journal SET status = 'answered', response = ?, updated_at = ? WHERE id = ?");
    up.bind(1, dump_json(e.response, "response", key)).bind(2, c.time).bind(3, id).exec();
    record_history(c, "journal:answered", e.address, id);
    tx.commit();
  }

  void journal_done(int64_t id, const std::vector<ResourceRow>& put,
                    const std::vector<std::string>& remove) override {
    sql::Transaction tx(db_);
    JournalEntry e = open_entry(id, "done");
    Change c = begin_change();
    for (const ResourceRow& row : put) write_row(c, row, id);
    for (const std::string& address : remove) delete_row(c, address, id);
    finish_entry(c, e, JournalStatus::done, "");
    tx.commit();
  }

  void journal_failed(int64_t id, const std::string& error) override {
    sql::Transaction tx(db_);
    JournalEntry e = open_entry(id, "failed");
    Change c = begin_change();
    finish_entry(c, e, JournalStatus::failed, error);
    tx.commit();
  }

  std::vector<JournalEntry> open_journal() override {
    sql::Stmt q(db_, std::string(kJournalColumns).append(" WHERE status IN ('intent', 'answered') ORDER BY id"));
    std::vector<JournalEntry> out;
    while (q.step()) out.push_back(read_entry(q));
    return out;
  }

  // A negative limit means no limit (SQLite's LIMIT -1).
  std::vector<JournalEntry> journal(int64_t limit) override {
    sql::Stmt q(db_, std::string(kJournalColumns).append(" ORDER BY id DESC LIMIT ?"));
    q.bind(1, limit);
    std::vector<JournalEntry> out;
    while (q.step()) out.push_back(read_entry(q));
    return out;
  }

  // Locks are coordination, not state content: they never bump the serial
  // (taking the lock to apply a plan must not make that plan stale).
  std::string lock(const std::string& holder, const std::string& operation, std::chrono::seconds ttl,
                   std::chrono::milliseconds wait) override {
    if (ttl.count() < 0) throw std::invalid_argument("lock ttl must not be negative");
    const Clock::time_point deadline = Clock::now() + wait;
    for (;;) {
      std::optional<LockInfo> held;
      {
        sql::Transaction tx(db_);
        held = current_lock();
        if (!held || expired(*held)) {
          int64_t now = now_epoch_seconds();
          LockInfo mine{crypto::random_hex(16), holder, operation, iso8601_utc(now), iso8601_utc(now + ttl.count())};
          db_.exec("DELETE FROM locks");
          sql::Stmt ins(db_,
                        "INSERT INTO locks (slot, id, holder, operation, created_at, expires_at) "
                        "VALUES (1, ?, ?, ?, ?, ?)");
          ins.bind(1, mine.id).bind(2, mine.holder).bind(3, mine.operation).bind(4, mine.created_at);
          ins.bind(5, mine.expires_at).exec();
          tx.commit();
          return mine.id;
        }
      }
      Clock::time_point now = Clock::now();
      if (now >= deadline) throw LockHeld(*held);
      std::this_thread::sleep_for(std::min<Clock::duration>(kLockPoll, deadline - now));
    }
  }

  void refresh_lock(const std::string& id, std::chrono::seconds ttl) override {
    if (ttl.count() < 0) throw std::invalid_argument("lock ttl must not be negative");
    sql::Transaction tx(db_);
    sql::Stmt up(db_, "UPDATE locks SET expires_at = ? WHERE id = ?");
    up.bind(1, iso8601_utc(now_epoch_seconds() + ttl.count())).bind(2, id).exec();
    if (db_.changes() == 1) {
      tx.commit();
      return;
    }
    // Our lock expired and someone took it over, or it was force-unlocked:
    // the caller must stop writing.
    if (std::optional<LockInfo> other = current_lock()) throw LockHeld(*other);
    throw std::runtime_error("lock " + id + " of " + path_ + " is no longer held (it was released or force-unlocked)");
  }

  // Removes the lock only if it is still ours; unlocking a lock that was
  // already released or taken over is a no-op.
  void unlock(const std::string& id) override {
    sql::Stmt del(db_, "DELETE FROM locks WHERE id = ?");
    del.bind(1, id).exec();
  }

  std::optional<LockInfo> current_lock() override {
    sql::Stmt q(db_, "SELECT id, holder, operation, created_at, expires_at FROM locks WHERE slot = 1");
    if (!q.step()) return std::nullopt;
    return LockInfo{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4)};
  }

  std::vector<HistoryEntry> history(int64_t limit) override {
    sql::Stmt q(db_, std::string(kHistoryColumns) + " ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    std::vector<HistoryEntry> out;
    while (q.step()) out.push_back(read_history(q));
    return out;
  }

  Snapshot snapshot() override {
    sql::Transaction tx(db_);  // one consistent read of every table
    Snapshot s;
    s.meta = meta();
    s.resources = resources();
    sql::Stmt j(db_, std::string(kJournalColumns) + " ORDER BY id");
    while (j.step()) s.journal.push_back(read_entry(j));
    sql::Stmt h(db_, std::string(kHistoryColumns) + " ORDER BY id");
    while (h.step()) s.history.push_back(read_history(h));
    tx.commit();
    return s;
  }

  void restore(const Snapshot& from) override {
    sql::Transaction tx(db_);
    db_.exec("DELETE FROM resources; DELETE FROM journal; DELETE FROM history;");
    sql::Stmt m(db_, "UPDATE meta SET lineage = ?, serial = ? WHERE id = 1");
    m.bind(1, from.meta.lineage).bind(2, from.meta.serial).exec();
    for (const ResourceRow& r : from.resources) {
      sql::Stmt ins(db_,
                    "INSERT INTO resources (address, type, cloud_id, attributes, dependencies, updated_at, provider) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)");
      ins.bind(1, r.address).bind(2, r.type).bind(3, r.cloud_id);
      ins.bind(4, dump_json(r.attributes, "attributes", r.address));
      ins.bind(5, dump_json(Json(r.dependencies), "dependencies", r.address)).bind(6, r.updated_at);
      ins.bind(7, r.provider).exec();
    }
    for (const JournalEntry& e : from.journal) {
      std::string key = "journal entry " + std::to_string(e.id);
      sql::Stmt ins(db_,
                    "INSERT INTO journal (id, run_id, address, operation, request_digest, intent, response, status, "
                    "error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ins.bind(1, e.id).bind(2, e.run_id).bind(3, e.address).bind(4, e.operation).bind(5, e.request_digest);
      ins.bind(6, dump_json(e.intent, "intent", key)).bind(7, dump_json(e.response, "response", key));
      ins.bind(8, to_string(e.status)).bind(9, e.error).bind(10, e.created_at).bind(11, e.updated_at).exec();
    }
    for (const HistoryEntry& h : from.history) {
      sql::Stmt ins(db_,
                    "INSERT INTO history (id, serial, time, action, address, journal_id, previous) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)");
      ins.bind(1, h.id).bind(2, h.serial).bind(3, h.time).bind(4, h.action).bind(5, h.address);
      if (h.journal_id) ins.bind(6, *h.journal_id);
      else ins.bind_null(6);
      if (h.previous) ins.bind(7, dump_json(*h.previous, "history of", h.address));
      else ins.bind_null(7);
      ins.exec();
    }
    tx.commit();
  }

 private:
  // The serial and time shared by every row one committed write touches.
  struct Change {
    int64_t serial;
    std::string time;
  };

  // Must run inside the write transaction.
  Change begin_change() {
    db_.exec("UPDATE meta SET serial = serial + 1 WHERE id = 1");
    sql::Stmt q(db_, "SELECT serial FROM meta WHERE id = 1");
    if (!q.step()) throw std::runtime_error(path_ + ": state file is damaged: its meta row is missing");
    return Change{q.integer(0), now_iso()};
  }

  // Appends a history row. For resource changes the row keeps the resource as
  // it was before this change (NULL when it did not exist), so it must be
  // called before the resource row is written or deleted.
  void record_history(const Change& c, const char* action, const std::string& address, std::optional<int64_t> journal_id,
               bool keep_previous = false) {
    static constexpr const char* kWithPrevious = R"(
        INSERT INTO history (serial, time, action, address, journal_id, previous)
        VALUES (?1, ?2, ?3, ?4, ?5,
                (SELECT json_object('type', type, 'cloud_id', cloud_id, 'attributes', json(attributes),
                                    'dependencies', json(dependencies), 'updated_at', updated_at)
                 FROM resources WHERE address = ?4)))";
    static constexpr const char* kWithoutPrevious = R"(
        INSERT INTO history (serial, time, action, address, journal_id, previous)
        VALUES (?1, ?2, ?3, ?4, ?5, NULL))";
    sql::Stmt ins(db_, keep_previous ? kWithPrevious : kWithoutPrevious);
    ins.bind(1, c.serial).bind(2, c.time).bind(3, action).bind(4, address);
    if (journal_id) ins.bind(5, *journal_id);
    else ins.bind_null(5);
    ins.exec();
  }

  bool exists(const std::string& address) {
    sql::Stmt q(db_, "SELECT 1 FROM resources WHERE address = ?");
    q.bind(1, address);
    return q.step();
  }

  void write_row(const Change& c, const ResourceRow& row, std::optional<int64_t> journal_id) {
    columns::check_row(row);
    std::string attributes = dump_json(row.attributes, "attributes", row.address);
    std::string dependencies = dump_json(Json(row.dependencies), "dependencies", row.address);
    record_history(c, exists(row.address) ? "update" : "create", row.address, journal_id, true);
    sql::Stmt up(db_, R"(
        INSERT INTO resources (address, type, cloud_id, attributes, dependencies, updated_at, provider)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (address) DO UPDATE SET type = excluded.type, cloud_id = excluded.cloud_id,
          attributes = excluded.attributes, dependencies = excluded.dependencies,
          updated_at = excluded.updated_at, provider = excluded.provider)");
    up.bind(1, row.address).bind(2, row.type).bind(3, row.cloud_id).bind(4, attributes);
    up.bind(5, dependencies).bind(6, c.time).bind(7, row.provider).exec();
  }

  // Removing an address that is not in the state is not an error (a resource
  // deleted out of band is simply gone); the write still counts as one.
  void delete_row(const Change& c, const std::string& address, std::optional<int64_t> journal_id) {
    record_history(c, "delete", address, journal_id, true);
    sql::Stmt del(db_, "DELETE FROM resources WHERE address = ?");
    del.bind(1, address).exec();
  }

  // Reads an entry that may still change; `to` names the transition for the
  // error message.
  JournalEntry open_entry(int64_t id, const char* to) {
    sql::Stmt q(db_, std::string(kJournalColumns) + " WHERE id = ?");
    q.bind(1, id);
    if (!q.step()) throw std::invalid_argument("no journal entry " + std::to_string(id) + " in " + path_);
    JournalEntry e = read_entry(q);
    if (!is_open(e.status))
      throw std::logic_error("journal entry " + std::to_string(id) + " (" + e.operation + " " + e.address +
                             ") is already " + to_string(e.status) + "; it cannot become " + to);
    return e;
  }

  void finish_entry(const Change& c, const JournalEntry& e, JournalStatus status, const std::string& error) {
    sql::Stmt up(db_, "UPDATE journal SET status = ?, error = ?, updated_at = ? WHERE id = ?");
    up.bind(1, to_string(status)).bind(2, error).bind(3, c.time).bind(4, e.id).exec();
    record_history(c, status == JournalStatus::done ? "journal:done" : "journal:failed", e.address, e.id);
  }

  std::string path_;
  sql::Db db_;
};

}  // namespace

std::unique_ptr<StateStore> open_sqlite_state(const std::string& path) {
  return std::make_unique<SqliteState>(path);
}

}  // namespace cph::state
