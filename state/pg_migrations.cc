#include "state/pg_migrations.h"

#include <stdexcept>

#include "common/crypto.h"
#include "common/timefmt.h"

namespace cph::state::pg_detail {

// Why the column types are what they are: timestamps and JSON are TEXT, as in
// the SQLite backend, because the store is their only reader and a copy
// between backends must give back the very same bytes (jsonb would reorder
// keys and reformat numbers). Addresses use the "C" collation so rows come
// back in the same byte order as SQLite's, whatever the database locale.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {
           R"(CREATE TABLE cphform_schema_migrations (
                version    integer PRIMARY KEY,
                applied_at text NOT NULL))",
           // One row per workspace; the lineage is fixed at creation.
           R"(CREATE TABLE cphform_meta (
                workspace  text PRIMARY KEY,
                lineage    text   NOT NULL,
                serial     bigint NOT NULL,
                created_at text   NOT NULL))",
           R"(CREATE TABLE cphform_resources (
                workspace    text NOT NULL REFERENCES cphform_meta ON DELETE CASCADE,
                address      text COLLATE "C" NOT NULL,
                type         text NOT NULL,
                cloud_id     text NOT NULL DEFAULT '',
                attributes   text NOT NULL DEFAULT '{}',
                dependencies text NOT NULL DEFAULT '[]',
                updated_at   text NOT NULL,
                PRIMARY KEY (workspace, address)))",
           // Ids come from one sequence shared by all workspaces; a copy
           // keeps the source's ids, hence the key includes the workspace.
           R"(CREATE TABLE cphform_journal (
                workspace      text NOT NULL REFERENCES cphform_meta ON DELETE CASCADE,
                id             bigserial,
                run_id         text NOT NULL,
                address        text NOT NULL,
                operation      text NOT NULL,
                request_digest text NOT NULL,
                intent         text NOT NULL DEFAULT '{}',
                response       text NOT NULL DEFAULT '{}',
                status         text NOT NULL
                               CHECK (status IN ('intent', 'answered', 'done', 'failed')),
                error          text NOT NULL DEFAULT '',
                created_at     text NOT NULL,
                updated_at     text NOT NULL,
                PRIMARY KEY (workspace, id)))",
           R"(CREATE INDEX cphform_journal_open ON cphform_journal (workspace, id)
                WHERE status IN ('intent', 'answered'))",
           // As in SQLite: one row per change, keeping the version before it.
           R"(CREATE TABLE cphform_history (
                workspace  text NOT NULL REFERENCES cphform_meta ON DELETE CASCADE,
                id         bigserial,
                serial     bigint NOT NULL,
                time       text   NOT NULL,
                action     text   NOT NULL,
                address    text   NOT NULL DEFAULT '',
                journal_id bigint,
                previous   text,
                PRIMARY KEY (workspace, id)))",
           R"(CREATE INDEX cphform_history_address ON cphform_history (workspace, address, serial))",
           // Who holds the workspace's advisory lock. The advisory lock is
           // the truth; a row whose backend no longer holds it is stale.
           R"(CREATE TABLE cphform_locks (
                workspace   text PRIMARY KEY REFERENCES cphform_meta ON DELETE CASCADE,
                id          text    NOT NULL,
                holder      text    NOT NULL,
                operation   text    NOT NULL,
                created_at  text    NOT NULL,
                expires_at  text    NOT NULL,
                backend_pid integer NOT NULL))",
       }},
      // StateStore::setting: what the provider learned once (issue 17).
      {2,
       {R"(CREATE TABLE cphform_settings (
             workspace text NOT NULL REFERENCES cphform_meta ON DELETE CASCADE,
             key       text NOT NULL,
             value     text NOT NULL,
             PRIMARY KEY (workspace, key)))"}},
      // ResourceRow::provider (issue 13): '' = the provider named after its
      // type, what every row written before the column meant.
      {3, {R"(ALTER TABLE cphform_resources ADD COLUMN provider text NOT NULL DEFAULT '')"}},
  };
  return all;
}

int latest_schema_version() { return migrations().back().version; }

namespace {

int current_version(pg::Conn& conn) {
  // A scan of pg_class, not to_regclass(): the catalog cache is not
  // refreshed by taking an advisory lock, a fresh statement snapshot is.
  pg::Result exists = conn.exec(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relname = 'cphform_schema_migrations' AND n.nspname = current_schema())");
  if (!exists.boolean(0, 0)) return 0;
  pg::Result v = conn.exec("SELECT coalesce(max(version), 0) FROM cphform_schema_migrations");
  return static_cast<int>(v.integer(0, 0));
}

void check_not_newer(int version) {
  if (version > latest_schema_version())
    throw std::runtime_error("the PostgreSQL state has schema version " + std::to_string(version) +
                             " but this cphform supports up to version " + std::to_string(latest_schema_version()) +
                             "; use the cphform release that wrote it, or a newer one");
}

}  // namespace

int64_t advisory_key(pg::Conn& conn, const std::string& name) {
  std::string schema = conn.exec("SELECT current_schema()").text(0, 0);
  std::string digest = crypto::sha256_hex("cphform:" + schema + ":" + name);
  return static_cast<int64_t>(std::stoull(digest.substr(0, 16), nullptr, 16));
}

int migrate(pg::Conn& conn) {
  int version = current_version(conn);
  check_not_newer(version);
  if (version == latest_schema_version()) return version;
  const std::string key = std::to_string(advisory_key(conn, "schema-migrations"));
  for (const Migration& m : migrations()) {
    pg::Transaction tx(conn);
    conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {key});
    version = current_version(conn);  // another process may have migrated meanwhile
    check_not_newer(version);
    if (version >= m.version) continue;
    for (const std::string& statement : m.statements) conn.exec_script(statement);
    conn.exec("INSERT INTO cphform_schema_migrations (version, applied_at) VALUES ($1, $2)",
              {pg::param(int64_t{m.version}), pg::param(iso8601_utc(now_epoch_seconds()))});
    tx.commit();
  }
  return latest_schema_version();
}

}  // namespace cph::state::pg_detail
