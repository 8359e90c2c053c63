#include "state/pg_rows.h"

#include <stdexcept>

namespace cph::state::pg_detail {

Json parse_json(const std::string& text, const char* column, const std::string& key) {
  return columns::parse_json(text, column, key, kStore);
}

ResourceRow read_resource(const pg::Result& r, int i) {
  ResourceRow row;
  row.address = r.text(i, 0);
  row.type = r.text(i, 1);
  row.cloud_id = r.text(i, 2);
  row.attributes = parse_json(r.text(i, 3), "attributes", row.address);
  row.dependencies = columns::parse_dependencies(r.text(i, 4), row.address, kStore);
  row.updated_at = r.text(i, 5);
  row.provider = r.text(i, 6);
  return row;
}

JournalEntry read_entry(const pg::Result& r, int i) {
  JournalEntry e;
  e.id = r.integer(i, 0);
  e.run_id = r.text(i, 1);
  e.address = r.text(i, 2);
  e.operation = r.text(i, 3);
  e.request_digest = r.text(i, 4);
  std::string key = "journal entry " + std::to_string(e.id);
  e.intent = parse_json(r.text(i, 5), "intent", key);
  e.response = parse_json(r.text(i, 6), "response", key);
  e.status = journal_status_from_string(r.text(i, 7));
  e.error = r.text(i, 8);
  e.created_at = r.text(i, 9);
  e.updated_at = r.text(i, 10);
  return e;
}

HistoryEntry read_history(const pg::Result& r, int i) {
  HistoryEntry h;
  h.id = r.integer(i, 0);
  h.serial = r.integer(i, 1);
  h.time = r.text(i, 2);
  h.action = r.text(i, 3);
  h.address = r.text(i, 4);
  if (!r.is_null(i, 5)) h.journal_id = r.integer(i, 5);
  if (!r.is_null(i, 6)) h.previous = parse_json(r.text(i, 6), "previous", "history row " + std::to_string(h.id));
  return h;
}

void insert_entry(pg::Conn& conn, const std::string& workspace, const JournalEntry& e) {
  std::string key = "journal entry " + std::to_string(e.id);
  conn.exec("INSERT INTO cphform_journal (workspace, id, run_id, address, operation, request_digest, intent, "
            "response, status, error, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            {workspace, pg::param(e.id), e.run_id, e.address, e.operation, e.request_digest,
             dump_json(e.intent, "intent", key), dump_json(e.response, "response", key), to_string(e.status), e.error,
             e.created_at, e.updated_at});
}

void insert_history(pg::Conn& conn, const std::string& workspace, const HistoryEntry& h) {
  pg::Param journal_id = h.journal_id ? pg::param(*h.journal_id) : pg::Param{};
  pg::Param previous = h.previous ? pg::param(dump_json(*h.previous, "history of", h.address)) : pg::Param{};
  if (h.id > 0)
    conn.exec("INSERT INTO cphform_history (workspace, id, serial, time, action, address, journal_id, previous) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              {workspace, pg::param(h.id), pg::param(h.serial), h.time, h.action, h.address, journal_id, previous});
  else
    conn.exec("INSERT INTO cphform_history (workspace, serial, time, action, address, journal_id, previous) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {workspace, pg::param(h.serial), h.time, h.action, h.address, journal_id, previous});
}

}  // namespace cph::state::pg_detail
