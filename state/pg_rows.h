// Reading and writing the rows of the PostgreSQL state tables. Internal to
// the PG backend: pg_state.cc composes these into transactions.
#pragma once

#include <cstdint>
#include <string>

#include "state/columns.h"
#include "state/pg_conn.h"
#include "state/state.h"

namespace cph::state::pg_detail {

constexpr const char* kResourceColumns =
    "SELECT address, type, cloud_id, attributes, dependencies, updated_at, provider FROM cphform_resources";
constexpr const char* kJournalColumns =
    "SELECT id, run_id, address, operation, request_digest, intent, response, status, error, "
    "created_at, updated_at FROM cphform_journal";
constexpr const char* kHistoryColumns =
    "SELECT id, serial, time, action, address, journal_id, previous FROM cphform_history";

ResourceRow read_resource(const pg::Result& r, int row);
JournalEntry read_entry(const pg::Result& r, int row);
HistoryEntry read_history(const pg::Result& r, int row);

// Inserts with the entry's own id and times (a copy); the id sequence is the
// caller's business.
void insert_entry(pg::Conn& conn, const std::string& workspace, const JournalEntry& e);
// Inserts with the entry's id when it is above 0, else a fresh one.
void insert_history(pg::Conn& conn, const std::string& workspace, const HistoryEntry& h);

// The same checks and messages as the SQLite backend (state/columns.h).
constexpr std::string_view kStore = "PostgreSQL state";
using columns::check_row;
using columns::dump_json;
using columns::require_object;
Json parse_json(const std::string& text, const char* column, const std::string& key);

}  // namespace cph::state::pg_detail
