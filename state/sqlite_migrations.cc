#include "state/sqlite_migrations.h"

#include <stdexcept>

#include "common/timefmt.h"

namespace cph::state::sqlite_detail {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {
           // One row. The lineage is fixed at creation: a plan or a copy of
           // the file is only comparable with states of the same lineage.
           R"(CREATE TABLE meta (
                id             INTEGER PRIMARY KEY CHECK (id = 1),
                lineage        TEXT    NOT NULL,
                serial         INTEGER NOT NULL,
                schema_version INTEGER NOT NULL,
                created_at     TEXT    NOT NULL))",
           R"(INSERT INTO meta (id, lineage, serial, schema_version, created_at)
              VALUES (1, lower(hex(randomblob(16))), 0, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
           R"(CREATE TABLE schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL))",
           // attributes: JSON object; dependencies: JSON array of addresses.
           R"(CREATE TABLE resources (
                address      TEXT PRIMARY KEY,
                type         TEXT NOT NULL,
                cloud_id     TEXT NOT NULL DEFAULT '',
                attributes   TEXT NOT NULL DEFAULT '{}',
                dependencies TEXT NOT NULL DEFAULT '[]',
                updated_at   TEXT NOT NULL) WITHOUT ROWID)",
           R"(CREATE TABLE journal (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id         TEXT NOT NULL,
                address        TEXT NOT NULL,
                operation      TEXT NOT NULL,
                request_digest TEXT NOT NULL,
                intent         TEXT NOT NULL DEFAULT '{}',
                response       TEXT NOT NULL DEFAULT '{}',
                status         TEXT NOT NULL
                               CHECK (status IN ('intent', 'answered', 'done', 'failed')),
                error          TEXT NOT NULL DEFAULT '',
                created_at     TEXT NOT NULL,
                updated_at     TEXT NOT NULL))",
           // Unfinished entries are read at the start of every run; the
           // partial index stays small however long the journal grows.
           R"(CREATE INDEX journal_open ON journal (id) WHERE status IN ('intent', 'answered'))",
           // One row per change of a committed write (a write that changes
           // several resources adds several rows with the same serial). Only
           // the version *before* the change is kept: the version after it is
           // the next row's `previous`, or the live row in `resources`.
           R"(CREATE TABLE history (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                serial     INTEGER NOT NULL,
                time       TEXT    NOT NULL,
                action     TEXT    NOT NULL,
                address    TEXT    NOT NULL DEFAULT '',
                journal_id INTEGER,
                previous   TEXT))",
           R"(CREATE INDEX history_address ON history (address, serial))",
           // At most one lock per state file (slot is always 1).
           R"(CREATE TABLE locks (
                slot       INTEGER PRIMARY KEY CHECK (slot = 1),
                id         TEXT NOT NULL,
                holder     TEXT NOT NULL,
                operation  TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL))",
       }},
      // StateStore::setting: what the provider learned once (issue 17).
      {2, {R"(CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID)"}},
      // ResourceRow::provider: the provider instance that owns the row
      // (issue 13, named providers); '' = the provider named after its type,
      // which is what every row written before the column meant.
      {3, {R"(ALTER TABLE resources ADD COLUMN provider TEXT NOT NULL DEFAULT '')"}},
  };
  return all;
}

int latest_schema_version() { return migrations().back().version; }

namespace {

bool table_exists(sql::Db& db, const char* name) {
  sql::Stmt q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.step();
}

// 0 for a file that has no cphform schema yet.
int current_version(sql::Db& db, const std::string& path) {
  if (table_exists(db, "meta")) {
    sql::Stmt q(db, "SELECT schema_version FROM meta WHERE id = 1");
    if (!q.step()) throw std::runtime_error(path + ": state file is damaged: its meta row is missing");
    return static_cast<int>(q.integer(0));
  }
  sql::Stmt any(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1");
  if (any.step())
    throw std::runtime_error(path + " is an SQLite database but not a cphform state file (it has table \"" +
                             any.text(0) + "\" and no meta table); choose another state path");
  return 0;
}

void check_not_newer(int version, const std::string& path) {
  if (version > latest_schema_version())
    throw std::runtime_error(path + " has state schema version " + std::to_string(version) +
                             " but this cphform supports up to version " +
                             std::to_string(latest_schema_version()) +
                             "; use the cphform release that wrote it, or a newer one");
}

}  // namespace

void migrate(sql::Db& db, const std::string& path) {
  // The common case, an up-to-date file, needs no write lock.
  int version = current_version(db, path);
  check_not_newer(version, path);
  if (version == latest_schema_version()) return;
  for (const Migration& m : migrations()) {
    sql::Transaction tx(db);
    version = current_version(db, path);  // another process may have migrated meanwhile
    check_not_newer(version, path);
    if (version >= m.version) continue;  // the destructor ends the empty transaction
    for (const std::string& statement : m.statements) db.exec(statement);
    sql::Stmt bump(db, "UPDATE meta SET schema_version = ? WHERE id = 1");
    bump.bind(1, m.version).exec();
    sql::Stmt log(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
    log.bind(1, m.version).bind(2, iso8601_utc(now_epoch_seconds())).exec();
    tx.commit();
  }
}

}  // namespace cph::state::sqlite_detail
