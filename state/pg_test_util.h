// The PostgreSQL server of the PG tests: CPHFORM_TEST_PG, set by
// scripts/pg-test-cluster.sh (ctest runs the binary through it). Each
// PgSchema is a fresh schema on that server, so tests never see each
// other's workspaces or locks.
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "common/crypto.h"
#include "state/pg_conn.h"

namespace cph::state::testing {

// No server is a failure, never a skip: the PG backend must be tested.
inline std::string test_pg_conninfo() {
  const char* conn = std::getenv("CPHFORM_TEST_PG");
  if (!conn || !*conn)
    throw std::runtime_error(
        "CPHFORM_TEST_PG is not set: run this binary through scripts/pg-test-cluster.sh run (ctest does)");
  return conn;
}

class PgSchema {
 public:
  PgSchema() : name_("cphform_test_" + crypto::random_hex(6)) {
    pg::Conn admin(test_pg_conninfo());
    admin.exec_script("CREATE SCHEMA " + name_);
  }
  ~PgSchema() {
    try {
      pg::Conn admin(test_pg_conninfo());
      admin.exec_script("DROP SCHEMA " + name_ + " CASCADE");
    } catch (...) {
    }
  }
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;

  // The server's connection string, with this schema first on search_path.
  std::string conninfo() const { return test_pg_conninfo() + " options='-csearch_path=" + name_ + "'"; }

 private:
  std::string name_;
};

}  // namespace cph::state::testing
