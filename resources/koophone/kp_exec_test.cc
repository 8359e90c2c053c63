// Fleet commands (kp_exec.h) against the emulator over HTTP: 100 instances
// with one failing, 300 instances in ceil(300/32) command calls, task
// polling once per task per round, sync mode, a refused batch.
#include "resources/koophone/kp_exec.h"
#include "resources/koophone/kp_test_support.h"

using namespace cph;
using namespace cph::koophone;
using namespace cph::koophone::testing;

namespace {
resources::PollPolicy quick_poll() {
  resources::PollPolicy p;
  p.initial = std::chrono::milliseconds(50);
  p.max = std::chrono::milliseconds(200);
  p.timeout = std::chrono::seconds(30);
  return p;
}
}  // namespace

TEST_CASE("koophone exec: 100 instances, one failing: 99 succeed, 1 fails with its code", "[koophone]") {
  KpFixture f(100, 24 * 3600, 1.0);  // the clock runs: async jobs end after 0.3 s
  f.admin("POST", "/_emulator/koophone/instances", {{"instance_id", kp_id(42)}, {"command_fails", true}});
  auto client = f.aksk_client();
  const FleetCommand run = f.run(run_fleet_command(*client, kp_range(1, 100), "getprop ro.build.version", false, quick_poll()));
  REQUIRE(run.results.size() == 100);
  CHECK(run.failed() == 1);
  CHECK(run.results[41].instance_id == kp_id(42));
  CHECK(run.results[41].status == -1);
  CHECK(run.results[41].error_code == "CPS.0191");
  CHECK(run.results[0].output == "kp000001: getprop ro.build.version");
  CHECK(run.command_calls == 4);
  CHECK(run.task_ids.size() == 4);
  // One query per task per round: a multiple of nothing more than the tasks.
  CHECK(run.task_queries >= 4);
  CHECK(f.emulator_count("GET /v1/instances/tasks/{task_id}") == run.task_queries);
  const std::string text = format_fleet_command(run);
  CHECK(text.find("kp000042  failed CPS.0191 Run command failed.") != std::string::npos);
  CHECK(text.find("99 succeeded, 1 failed (4 command calls") != std::string::npos);
  CHECK(text.find("task " + run.task_ids[0]) != std::string::npos);
}

TEST_CASE("koophone exec: 300 instances make ceil(300/32) = 10 command calls", "[koophone]") {
  KpFixture f(300, 24 * 3600, 1.0);
  auto client = f.aksk_client();
  std::vector<std::string> started;  // the task ids, told before the polling
  const FleetCommand run = f.run(run_fleet_command(*client, kp_range(1, 300), "id", false, quick_poll(),
                                                   [&](const std::vector<std::string>& tasks) {
                                                     CHECK(f.emulator_count("GET /v1/instances/tasks/{task_id}") == 0);
                                                     started = tasks;
                                                   }));
  CHECK(run.failed() == 0);
  CHECK(started == run.task_ids);
  CHECK(f.emulator_count("POST /v1/instances/async-command") == 10);
  CHECK(run.command_calls == 10);
}

TEST_CASE("koophone exec: -sync uses 14.2; a refused batch fails its instances only", "[koophone]") {
  KpFixture f(40);
  auto client = f.aksk_client();
  std::vector<std::string> ids = kp_range(1, 40);
  ids.push_back("notmine1");  // in the second batch
  const FleetCommand run = f.run(run_fleet_command(*client, ids, "ls -l /system", true, quick_poll()));
  CHECK(f.emulator_count("POST /v1/instances/sync-command") == 2);
  CHECK(f.emulator_count("GET /v1/instances/tasks/{task_id}") == 0);
  CHECK(run.failed() == 9);  // kp000033..kp000040 and notmine1
  CHECK(run.results.back().error_code == "KOOPHONE.API.1001");
  CHECK(run.results[0].status == 2);
}

TEST_CASE("koophone exec: jobs still running at the timeout fail with their task id", "[koophone]") {
  KpFixture f(3);  // a frozen clock: the jobs never end
  auto client = f.aksk_client();
  resources::PollPolicy poll = quick_poll();
  poll.timeout = std::chrono::seconds(1);
  const FleetCommand run = f.run(run_fleet_command(*client, kp_range(1, 3), "id", false, poll));
  REQUIRE(run.task_ids.size() == 1);
  CHECK(run.failed() == 3);
  CHECK(run.results[0].error_code == "TIMEOUT");
  CHECK(run.results[0].error_msg.find(run.task_ids[0]) != std::string::npos);
}

TEST_CASE("koophone exec: commands the API would refuse are named before any call", "[koophone]") {
  CHECK(command_error("getprop ro.build.version").empty());
  CHECK(command_error("ls -l /system").empty());
  CHECK(command_error(std::string(1024, 'a')).empty());
  CHECK(command_error("").find("empty") != std::string::npos);
  CHECK(command_error(std::string(1025, 'a')).find("1025 bytes") != std::string::npos);
  const std::string pipe = command_error("ps | grep x");
  CHECK(pipe.find("contains '|'") != std::string::npos);
  CHECK(pipe.find("(KooPhone API: Instance async command)") != std::string::npos);
  CHECK(command_error("echo $HOME").find("contains '$'") != std::string::npos);
}

TEST_CASE("koophone exec: a command call whose answer is lost fails its instances as UNKNOWN and is not resent",
          "[koophone]") {
  KpFixture f(40, 24 * 3600, 1.0);
  f.admin("POST", "/_emulator/faults",
          {{"processed_reset_rate", 1}, {"operations", {"POST /v1/instances/async-command"}}});
  auto client = f.aksk_client();
  const FleetCommand run = f.run(run_fleet_command(*client, kp_range(1, 40), "id", false, quick_poll()));
  CHECK(f.emulator_count("POST /v1/instances/async-command") == 2);  // one call a batch, none resent
  CHECK(run.failed() == 40);
  CHECK(run.results[0].error_code == "UNKNOWN");
  CHECK(run.results[0].error_msg.find("not sent again") != std::string::npos);
  CHECK(run.task_ids.empty());
}
