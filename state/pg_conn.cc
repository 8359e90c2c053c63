#include "state/pg_conn.h"

#include <libpq-fe.h>

namespace cph::state::pg {
namespace {

// libpq's message ends with a newline; trim it so errors compose.
std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Server notices ("relation already exists, skipping") are not errors and
// must not reach the user's terminal.
void ignore_notice(void*, const PGresult*) {}

}  // namespace

Result::~Result() {
  if (r_) PQclear(r_);
}

int Result::rows() const { return PQntuples(r_); }

std::string Result::text(int row, int column) const {
  if (PQgetisnull(r_, row, column)) return "";
  return std::string(PQgetvalue(r_, row, column), static_cast<size_t>(PQgetlength(r_, row, column)));
}

int64_t Result::integer(int row, int column) const { return std::stoll(text(row, column)); }

bool Result::is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }

Conn::Conn(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_) throw Error("cannot connect to PostgreSQL: out of memory", "");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("cannot connect to the PostgreSQL state backend: " + message, "");
  }
  PQsetNoticeReceiver(conn_, ignore_notice, nullptr);
}

Conn::~Conn() {
  if (conn_) PQfinish(conn_);
}

Result Conn::exec(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  std::string statement(sql);
  PGresult* r = PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                             nullptr, nullptr, 0);
  check(r);
  return Result(r);
}

void Conn::exec_script(std::string_view sql) {
  std::string statement(sql);
  PGresult* r = PQexec(conn_, statement.c_str());
  check(r);
  PQclear(r);
}

// Frees `r` and throws unless it is a success.
void Conn::check(pg_result* r) {
  ExecStatusType status = PQresultStatus(r);
  if (r && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return;
  const char* sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = sqlstate ? sqlstate : "";
  std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  if (r) PQclear(r);
  throw Error("PostgreSQL state backend: " + message, state);
}

int Conn::backend_pid() const { return PQbackendPID(conn_); }

Transaction::Transaction(Conn& conn, std::string_view begin) : conn_(conn) { conn_.exec_script(begin); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    conn_.exec_script("ROLLBACK");
  } catch (...) {
    // The connection is gone; the server rolls back on its own.
  }
}

void Transaction::commit() {
  conn_.exec_script("COMMIT");
  done_ = true;
}

}  // namespace cph::state::pg
