// Schema migrations of the SQLite state file. Internal to the SQLite backend.
//
// The schema version lives in meta.schema_version (and every applied version
// is listed in schema_migrations with its time). Migration N is a fixed list
// of SQL statements; released migrations are never edited, only appended to.
#pragma once

#include <string>
#include <vector>

#include "common/sqlite.h"

namespace cph::state::sqlite_detail {

struct Migration {
  int version;
  std::vector<std::string> statements;
};

// Every migration this build knows, in version order (versions 1, 2, ...).
const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings the file at `path` (already open as `db`) up to
// latest_schema_version(). Each pending migration runs in its own BEGIN
// IMMEDIATE transaction that re-reads the version first, so processes that
// open a fresh file at the same time apply every migration exactly once.
// Throws std::runtime_error when the file was written by a newer cphform or
// is an SQLite database that is not a cphform state file.
void migrate(sql::Db& db, const std::string& path);

}  // namespace cph::state::sqlite_detail
