// The CPS error table (cps_errors.h) against cph-api.md section 9 itself.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/test_shared.h"
#include "resources/huawei/cps_errors.h"

namespace {

using cph::testing::shared_file;

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  const size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

TEST_CASE("cps_errors: the documented table", "[cps_errors]") {
  using namespace cph;
  CHECK(cps_error_count() == 275);
  const CpsError* e = find_cps_error("CPS.0024");
  REQUIRE(e != nullptr);
  CHECK(e->http_status == 400);
  CHECK(e->code == "CPS.0024");
  CHECK(e->message == "Parameter: count is invalid.");
  CHECK_FALSE(e->meaning.empty());
  CHECK_FALSE(e->handling.empty());
  CHECK(find_cps_error("CPS.0015") != nullptr);
  CHECK(find_cps_error("CPS.0015")->http_status == 404);
  CHECK(find_cps_error("CPS.0012") == nullptr);  // a gap in the documented sequence
  CHECK(find_cps_error("cps.0024") == nullptr);  // codes are case-sensitive
  CHECK(find_cps_error("") == nullptr);
  CHECK(find_cps_error("APIGW.0301") == nullptr);
}

TEST_CASE("cps_errors: every row of cph-api.md section 9 is in the table verbatim", "[cps_errors]") {
  std::ifstream in(shared_file("cph-api.md"));
  REQUIRE(in.good());
  std::string line;
  bool in_section = false;
  std::set<std::string> seen;
  std::map<int, int> per_status;
  while (std::getline(in, line)) {
    if (line.rfind("## 9.", 0) == 0)
      in_section = true;
    else if (line.rfind("## 10.", 0) == 0)
      break;
    if (!in_section || line.rfind("| ", 0) != 0 || line.find("| CPS.") == std::string::npos) continue;
    // | HTTP | error_code | error_msg | meaning | handling |
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1, line.size() - 2));
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(trim(cell));
    REQUIRE(cells.size() == 5);
    INFO(line);
    const cph::CpsError* e = cph::find_cps_error(cells[1]);
    REQUIRE(e != nullptr);
    CHECK(e->http_status == std::stoi(cells[0]));
    CHECK(e->message == cells[2]);
    CHECK(e->meaning == cells[3]);
    CHECK(e->handling == cells[4]);
    CHECK(seen.insert(cells[1]).second);
    ++per_status[e->http_status];
  }
  CHECK(seen.size() == 275);
  // Section 9: 256 x 400, 4 x 403, 14 x 404, 1 x 500.
  CHECK(per_status == std::map<int, int>{{400, 256}, {403, 4}, {404, 14}, {500, 1}});
}
