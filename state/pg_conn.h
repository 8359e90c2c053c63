// Thin RAII wrapper over libpq for the PostgreSQL state backend. Generic
// plumbing only: no schema knowledge lives here.
//
// Every value crosses the wire as text with explicit parameters ($1, $2, ...),
// never spliced into SQL, so addresses and JSON need no quoting.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace cph::state::pg {

struct Error : std::runtime_error {
  Error(const std::string& what, std::string sqlstate) : std::runtime_error(what), sqlstate(std::move(sqlstate)) {}
  std::string sqlstate;  // "23505" unique_violation, ... ("" for connection errors)
};

// A parameter: text, or SQL NULL.
using Param = std::optional<std::string>;
inline Param param(int64_t v) { return std::to_string(v); }
inline Param param(std::string_view v) { return std::string(v); }
inline Param param(const char* v) { return std::string(v); }
inline Param param(const std::string& v) { return v; }

// The rows of one statement.
class Result {
 public:
  explicit Result(pg_result* r) : r_(r) {}
  ~Result();
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  Result& operator=(Result&&) = delete;

  int rows() const;
  std::string text(int row, int column) const;  // NULL reads as ""
  int64_t integer(int row, int column) const;
  bool is_null(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }

 private:
  pg_result* r_;
};

// One connection. `conninfo` is a postgres:// URL or a "key=value ..." string;
// an empty one uses libpq's PG* environment variables and defaults.
class Conn {
 public:
  explicit Conn(const std::string& conninfo);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs one statement with parameters; throws pg::Error on failure.
  Result exec(std::string_view sql, const std::vector<Param>& params = {});
  // Runs one or more statements without parameters (DDL, BEGIN, ...).
  void exec_script(std::string_view sql);
  int backend_pid() const;

 private:
  void check(pg_result* r);
  pg_conn* conn_ = nullptr;
};

// BEGIN ... COMMIT; rolls back if destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Conn& conn, std::string_view begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Conn& conn_;
  bool done_ = false;
};

}  // namespace cph::state::pg
