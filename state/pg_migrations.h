// Schema migrations of the PostgreSQL state backend. Internal to it.
//
// One set of tables (prefixed cphform_, in the connection's current schema)
// holds every workspace: each row carries its workspace name. The schema
// version is the highest row of cphform_schema_migrations. Migration N is a
// fixed list of statements; released migrations are never edited, only
// appended to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "state/pg_conn.h"

namespace cph::state::pg_detail {

struct Migration {
  int version;
  std::vector<std::string> statements;
};

const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings the database up to latest_schema_version() and returns it. Each
// pending migration is one transaction under a transaction-level advisory
// lock, so processes connecting to a fresh database at the same time apply
// every migration exactly once. Throws std::runtime_error for a schema
// written by a newer cphform.
int migrate(pg::Conn& conn);

// A stable 64-bit key for pg_advisory_lock: the first 8 bytes of
// sha256("cphform:" + current_schema() + ":" + name). The schema is part of
// it so that projects sharing a database in different schemas never contend.
int64_t advisory_key(pg::Conn& conn, const std::string& name);

}  // namespace cph::state::pg_detail
