// Jobs (cph-api.md 6.1, 6.2) and the job engine: progress with the simulated
// clock, failures with job_failure_rate 1, persistence, validation.
#include <filesystem>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
// n normal servers (auto-paid purchase, creation walked to the end).
std::vector<std::string> normal_servers(Emulator& emu, int n) {
  json b = emu.buy(rx1_purchase(n, true));
  emu.advance(300);
  return b["server_ids"].get<std::vector<std::string>>();
}

HttpResponse restart(Emulator& emu, const json& ids) {
  return emu.call("POST", project_path("/cloud-phone/servers/batch-restart"), json{{"server_ids", ids}}.dump());
}

void check_job_fields(const json& j) {
  check_fields(j, {{"job_id", Kind::string},
                   {"begin_time", Kind::string},
                   {"end_time", Kind::string},
                   {"status", Kind::integer},
                   {"error_code", Kind::string},
                   {"error_msg", Kind::string},
                   {"execute_msg", Kind::string}});
}
}  // namespace

TEST_CASE("jobs run 1 -> 2 with the simulated clock and are queryable", "[jobs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 2);
  HttpResponse r = restart(emu, ids);
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  const std::string request_id = b["request_id"];
  REQUIRE(b["jobs"].size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    check_fields(b["jobs"][i], {{"server_id", Kind::string}, {"job_id", Kind::string}});
    CHECK(b["jobs"][i]["server_id"] == ids[i]);
    CHECK(is_lower_hex(b["jobs"][i]["job_id"], 32));
  }
  const std::string job_id = b["jobs"][0]["job_id"];

  // 6.1: running.
  json j = body_of(emu.get(project_path("/cloud-phone/jobs/" + job_id)));
  check_fields(j, {{"request_id", Kind::string}});
  check_job_fields(j);
  CHECK(j["status"] == 1);
  CHECK(j["end_time"] == "");
  CHECK(j["job_id"] == job_id);
  CHECK(j["request_id"] != request_id);  // the query's own id

  // 6.2 by request_id: both jobs, in item order.
  HttpResponse lr = emu.get(project_path("/cloud-phone/jobs?request_id=" + request_id));
  REQUIRE(lr.status == 200);
  json list = body_of(lr);
  REQUIRE(list["jobs"].size() == 2);
  for (const json& item : list["jobs"]) {
    check_job_fields(item);
    check_fields(item, {{"server_id", Kind::string}});
  }
  CHECK(list["jobs"][0]["server_id"] == ids[0]);

  // restart_server runs 60 s by default.
  emu.advance(59);
  CHECK(body_of(emu.get(project_path("/cloud-phone/jobs/" + job_id)))["status"] == 1);
  emu.advance(1);
  j = body_of(emu.get(project_path("/cloud-phone/jobs/" + job_id)));
  CHECK(j["status"] == 2);
  CHECK(j["error_code"] == "");
  auto begin = cph::parse_iso8601_utc(j["begin_time"].get<std::string>());
  auto end = cph::parse_iso8601_utc(j["end_time"].get<std::string>());
  REQUIRE(begin);
  REQUIRE(end);
  CHECK(*end - *begin == 60);
  // The server stays normal (11.2: no restarting server status).
  CHECK(emu.server(ids[0])["status"] == 5);
}

TEST_CASE("job_failure_rate 1 fails every job with CPS.0260", "[jobs]") {
  Emulator emu;
  emu.service.reset();
  Options o;
  o.credentials = {kCaller, kOtherCaller};
  o.time_scale = 0;
  o.job_failure_rate = 1;
  emu.service = std::make_unique<Service>(o);
  auto ids = normal_servers(emu, 1);
  json b = body_of(restart(emu, ids));
  emu.advance(60);
  json j = body_of(emu.get(project_path("/cloud-phone/jobs/" + b["jobs"][0]["job_id"].get<std::string>())));
  CHECK(j["status"] == -1);
  CHECK(j["error_code"] == "CPS.0260");
  CHECK(j["error_msg"] == "Sub job execute failed.");
  CHECK_FALSE(j["end_time"].get<std::string>().empty());
}

TEST_CASE("request_ids combines requests; paging applies", "[jobs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 3);
  std::string a = body_of(restart(emu, json{ids[0], ids[1]}))["request_id"];
  std::string b = body_of(restart(emu, json{ids[2]}))["request_id"];
  json all = body_of(emu.get(project_path("/cloud-phone/jobs?request_ids=" + a + "," + b)));
  CHECK(all["jobs"].size() == 3);
  // request_ids takes precedence over request_id.
  json pref = body_of(emu.get(project_path("/cloud-phone/jobs?request_id=" + a + "&request_ids=" + b)));
  CHECK(pref["jobs"].size() == 1);
  json page = body_of(emu.get(project_path("/cloud-phone/jobs?request_ids=" + a + "," + b + "&offset=1&limit=1")));
  REQUIRE(page["jobs"].size() == 1);
  CHECK(page["jobs"][0]["server_id"] == ids[1]);
  // Another project sees none of them.
  check_cps_error(emu.get("/v1/" + kOtherCaller.project_id + "/cloud-phone/jobs?request_id=" + a, kOtherCaller), 404,
                  "CPS.0050");
}

TEST_CASE("job query validation", "[jobs][validation]") {
  Emulator emu;
  auto ids = normal_servers(emu, 1);
  std::string a = body_of(restart(emu, ids))["request_id"];
  std::string twenty_one;
  for (int i = 0; i < 21; ++i) twenty_one += (i ? "," : "") + a;
  struct Case {
    std::string query;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"", 400, "CPS.0049"},
      {"?request_id=", 400, "CPS.0049"},
      {"?request_ids=" + twenty_one, 400, "CPS.0161"},
      {"?request_id=bad%20id", 400, "CPS.0264"},
      {"?request_ids=" + a + ",", 400, "CPS.0264"},
      {"?request_id=" + a + "&limit=0", 400, "CPS.0002"},
      {"?request_id=" + a + "&offset=-1", 400, "CPS.0002"},
      {"?request_id=0123456789abcdef0123456789abcdef", 404, "CPS.0050"},
  };
  for (const Case& c : cases) {
    INFO(c.query);
    check_cps_error(emu.get(project_path("/cloud-phone/jobs") + c.query), c.status, c.code);
  }
  check_cps_error(emu.get(project_path("/cloud-phone/jobs/0123456789abcdef0123456789abcdef")), 404, "CPS.0011");
}

TEST_CASE("jobs survive a restart and keep running", "[jobs][persistence]") {
  const std::string path = (std::filesystem::temp_directory_path() / "emu3-jobs-test.db").string();
  std::filesystem::remove(path);
  std::string job_id;
  {
    Emulator emu(path);
    auto ids = normal_servers(emu, 1);
    job_id = body_of(restart(emu, ids))["jobs"][0]["job_id"];
    emu.advance(10);
  }
  {
    Emulator emu(path);
    CHECK(body_of(emu.get(project_path("/cloud-phone/jobs/" + job_id)))["status"] == 1);
    emu.advance(50);
    CHECK(body_of(emu.get(project_path("/cloud-phone/jobs/" + job_id)))["status"] == 2);
  }
  std::filesystem::remove(path);
}

TEST_CASE("the same seed draws the same job failures", "[jobs][faults]") {
  auto outcome = [](uint64_t seed) {
    Options o;
    o.credentials = {kCaller};
    o.time_scale = 0;
    o.job_failure_rate = 0.5;
    o.seed = seed;
    Emulator emu;
    emu.service = std::make_unique<Service>(o);
    auto ids = normal_servers(emu, 10);
    HttpResponse rr = restart(emu, ids);
    json b = body_of(rr);
    emu.advance(60);
    std::string statuses;
    json list = body_of(emu.get(project_path("/cloud-phone/jobs?request_id=" + b["request_id"].get<std::string>())));
    for (const json& j : list["jobs"])
      statuses += std::to_string(j["status"].get<int>()) + ",";
    return statuses;
  };
  std::string first = outcome(42);
  INFO(first);
  CHECK(first == outcome(42));
  CHECK(first.find("-1") != std::string::npos);
  CHECK(first.find("2,") != std::string::npos);
}
