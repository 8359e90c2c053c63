// Helpers shared by the state tests: temp files, rows, raw reads of the
// tables the StateStore interface does not expose (history).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/crypto.h"
#include "common/test_shared.h"
#include "common/sqlite.h"
#include "state/state.h"

namespace cph::state::testing {

using cph::testing::TempDir;

// A row whose type is the address up to the first dot.
inline ResourceRow row(const std::string& address, Json attributes = Json::object(),
                       std::vector<std::string> deps = {}) {
  ResourceRow r;
  r.address = address;
  r.type = address.substr(0, address.find('.'));
  r.cloud_id = "id-" + address;
  r.attributes = std::move(attributes);
  r.dependencies = std::move(deps);
  return r;
}

inline int64_t count_rows(const std::string& path, const std::string& table) {
  cph::sql::Db db(path);
  cph::sql::Stmt q(db, "SELECT count(*) FROM " + table);
  REQUIRE(q.step());
  return q.integer(0);
}

struct HistoryRow {
  int64_t serial;
  std::string action, address;
  std::optional<int64_t> journal_id;
  std::optional<Json> previous;
};

inline std::vector<HistoryRow> history_of(const std::string& path) {
  cph::sql::Db db(path);
  cph::sql::Stmt q(db, "SELECT serial, action, address, journal_id, previous FROM history ORDER BY id");
  std::vector<HistoryRow> out;
  while (q.step()) {
    HistoryRow h{q.integer(0), q.text(1), q.text(2), std::nullopt, std::nullopt};
    if (!q.is_null(3)) h.journal_id = q.integer(3);
    if (!q.is_null(4)) h.previous = Json::parse(q.text(4));
    out.push_back(std::move(h));
  }
  return out;
}

inline bool is_hex32(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace cph::state::testing
