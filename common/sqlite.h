// Thin RAII wrapper over SQLite3, shared by state backends and the emulator's
// store. Generic plumbing only: no schema knowledge lives here.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace cph::sql {

struct Error : std::runtime_error {
  Error(const std::string& what, int code) : std::runtime_error(what), code(code) {}
  int code;  // SQLite result code (SQLITE_BUSY, SQLITE_CONSTRAINT, ...)
};

class Db;

// A prepared statement. Bind parameters are 1-based, as in SQLite. Taken
// from its connection's cache and given back (reset) when destroyed:
// preparing is most of the cost of the small statements a journal writes.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;

  Stmt& bind(int index, std::string_view value);
  Stmt& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Stmt& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Stmt& bind(int index, int64_t value);
  Stmt& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Stmt& bind(int index, double value);
  Stmt& bind_null(int index);
  Stmt& bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances; true while a row is available.
  bool step();
  // Runs to completion (for statements that return no rows).
  void exec();
  void reset();

  std::string text(int column) const;  // NULL reads as ""
  int64_t integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One connection. Opened in WAL mode with a busy timeout, foreign keys on;
// a database file (and its -wal/-shm) is made owner-only (0600) on open.
class Db {
 public:
  explicit Db(const std::string& path, int busy_timeout_ms = 5000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);  // one or more statements, no results
  int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail(std::string_view context, int rc) const;

  // The statement cache of Stmt: an idle statement of this SQL, or a newly
  // prepared one; give_back() makes it idle again (reset, bindings cleared).
  sqlite3_stmt* take(std::string_view sql);
  void give_back(sqlite3_stmt* stmt);

 private:
  sqlite3* db_ = nullptr;
  std::mutex cache_mutex_;  // the emulator's store is shared by threads
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back if destroyed without commit().
// IMMEDIATE takes the write lock up front, so two writers never deadlock
// half-way through a transaction.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace cph::sql
