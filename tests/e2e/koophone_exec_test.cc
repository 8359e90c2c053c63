// Issue 15: `cphform koophone exec SET -- COMMAND` end to end, the real binary
// against `emulator serve --koophone-instances N` over HTTP (and once against
// the embedded emulator): 100 instances with one failing, 300 instances in
// ceil(300/32) = 10 command calls, -sync, -json, -timeout, and mistakes
// refused before any call. A command is not state: no run here may create a state file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const std::string kAsync = "POST /v1/instances/async-command";
const std::string kSync = "POST /v1/instances/sync-command";
const std::string kTaskQuery = "GET /v1/instances/tasks/{task_id}";

std::string kp_id(int n) {
  char id[16];
  std::snprintf(id, sizeof id, "kp%06d", n);
  return id;
}

std::string id_list(int first, int count) {
  std::string out = "[";
  for (int i = first; i < first + count; ++i) out += std::string(i == first ? "" : ", ") + "\"" + kp_id(i) + "\"";
  return out + "]";
}

// A koophone provider at `endpoint` and [koophone_instances.NAME] of ids.
std::string kp_manifest(const std::string& endpoint, const std::string& name, const std::string& ids) {
  return "[provider.koophone]\nendpoint = \"" + endpoint + "\"\nregion = \"cn-east-3\"\n\n[koophone_instances." + name +
         "]\ninstance_ids = " + ids + "\n";
}

// Lines of `text` that start with `prefix`.
size_t lines_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
  return n;
}

bool has_state(const fs::path& dir) { return fs::exists(dir / ".cphform" / "state.db"); }

}  // namespace

TEST_CASE("koophone exec on 100 instances with one failing: 99 ok, 1 failed with its code, exit 1",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "100"});
  emu.admin("/_emulator/koophone/instances", "POST", R"({"instance_id": "kp000042", "command_fails": true})");
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), "fleet", id_list(1, 100)));
  auto r = run_cphform({"koophone", "exec", "fleet", "--", "getprop", "ro.build.version"}, dir.path(), &emu, "",
                       kFastPolls);
  REQUIRE_RUN(r, 1);
  CHECK(lines_starting(r.out, "kp0") == 100);
  CHECK(contains(r.out, "kp000001  ok  kp000001: getprop ro.build.version\n"));
  CHECK(contains(r.out, "kp000042  failed CPS.0191 Run command failed."));
  CHECK(contains(r.out, "99 succeeded, 1 failed (4 command calls"));
  // The task ids, one per batch of 32, so that they can be looked up.
  CHECK(lines_starting(r.out, "task ") == 4);
  CHECK(lines_starting(r.out, "Started 4 tasks: ") == 1);  // before the results, for a run stopped while it waits
  CHECK(r.out.find("Started 4 tasks: ") < r.out.find("kp000001  ok"));
  CHECK(emu.calls(kAsync) == 4);
  CHECK(emu.calls(kSync) == 0);
  // One query per task per round: a multiple of the four tasks at most.
  const int64_t queries = emu.calls(kTaskQuery);
  CHECK(queries >= 4);
  CHECK(contains(r.out, std::to_string(queries) + " task queries"));
  CHECK_FALSE(has_state(dir.path()));  // not state: nothing recorded, nothing locked
}

TEST_CASE("koophone exec on 300 instances makes ceil(300/32) = 10 command calls; -json is one document",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "300"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), "farm", id_list(1, 300)));
  auto r = run_cphform({"koophone", "exec", "-json", "-parallelism=4", "koophone_instances.farm", "--", "id"},
                       dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(r, 0);
  const Json doc = Json::parse(r.out);  // the whole of stdout, nothing before it
  CHECK(doc["set"] == "koophone_instances.farm");
  CHECK(doc["mode"] == "async");
  CHECK(doc["succeeded"] == 300);
  CHECK(doc["failed"] == 0);
  CHECK(doc["command_calls"] == 10);
  CHECK(doc["task_ids"].size() == 10);
  REQUIRE(doc["results"].size() == 300);
  CHECK(doc["results"][299]["instance_id"] == kp_id(300));
  CHECK(doc["results"][299]["ok"] == true);
  CHECK(doc["results"][299]["output"] == kp_id(300) + ": id");
  CHECK(emu.calls(kAsync) == 10);
  CHECK(emu.calls(kTaskQuery) == doc["task_queries"].get<int64_t>());
}

TEST_CASE("koophone exec -sync on ids from instance_ids_file: the answers carry the results, no task is polled",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40"});
  emu.admin("/_emulator/koophone/instances", "POST", R"({"instance_id": "kp000007", "command_fails": true})");
  TempDir dir;
  // The ids from a file beside the manifest (instance_ids_file), one a line.
  std::string lines;
  for (int i = 1; i <= 40; ++i) lines += kp_id(i) + "\n";
  dir.write("fleet.txt", lines);
  dir.write("main.toml", "[provider.koophone]\nendpoint = \"" + emu.url() +
                             "\"\n\n[koophone_instances.fleet]\ninstance_ids_file = \"fleet.txt\"\n");
  auto r = run_cphform({"koophone", "exec", "-sync", "-json", "fleet", "--", "ls", "-l", "/system"}, dir.path(), &emu);
  REQUIRE_RUN(r, 1);
  const Json doc = Json::parse(r.out);
  CHECK(doc["mode"] == "sync");
  CHECK(doc["command"] == "ls -l /system");  // -l went to the command, not to cphform
  CHECK(doc["failed"] == 1);
  CHECK(doc["results"][6]["error_code"] == "CPS.0191");
  CHECK(doc["task_ids"].empty());
  CHECK(emu.calls(kSync) == 2);
  CHECK(emu.calls(kTaskQuery) == 0);
}

TEST_CASE("koophone exec: bad flags, unknown sets and sets of another type are refused before any call",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "10"});
  TempDir dir;
  dir.write("main.toml", "[provider.cph]\nendpoint = \"" + emu.url() + "\"\n\n" + server_block("web", "web", 1) + "\n" +
                             kp_manifest(emu.url(), "fleet", id_list(1, 5)) + "\n[koophone_instances.lab]\n"
                             "instance_ids = [\"kp000009\"]\n");
  struct Refusal {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Refusal> refusals = {
      {{"koophone", "exec", "flet", "--", "id"},
       "no [koophone_instances.flet] (did you mean koophone_instances.fleet?); the koophone_instances blocks are: "
       "koophone_instances.fleet, koophone_instances.lab"},
      {{"koophone", "exec", "server.web", "--", "id"}, "server.web is a server block of provider cph"},
      {{"koophone", "exec", "web", "--", "id"}, "server.web is a server block of provider cph"},
      {{"koophone", "exec", "fleet", "id"}, "needs the command after --"},
      {{"koophone", "exec", "fleet", "--"}, "the command is empty"},
      {{"koophone", "exec", "fleet", "--", "ps", "|", "grep", "x"}, "contains '|'"},
      {{"koophone", "exec", "--", "id"}, "takes one set before --"},
      {{"koophone", "exec", "-parallelism=0", "fleet", "--", "id"}, "-parallelism must be"},
      {{"koophone", "exec", "-timeout=soon", "fleet", "--", "id"}, "bad duration"},
      {{"koophone", "run", "fleet", "--", "id"}, "usage: cphform koophone exec"},
      {{"koophone", "exec", "-snyc", "fleet", "--", "id"}, "unknown flag -snyc for cphform koophone; did you mean -sync?"},
  };
  for (const Refusal& refusal : refusals) {
    auto r = run_cphform(refusal.args, dir.path(), &emu);
    INFO(refusal.args[2] << " " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(contains(r.err, refusal.says));
  }
  CHECK(emu.total_calls() == 0);
  CHECK_FALSE(has_state(dir.path()));

  // A set of no koophone_instances block at all says so.
  TempDir none;
  none.write("main.toml", server_manifest(emu.url(), "web", 1));
  auto r = run_cphform({"koophone", "exec", "fleet", "--", "id"}, none.path(), &emu);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "the manifests declare no koophone_instances block"));
  // The command's own -h is not cphform's help.
  auto help = run_cphform({"koophone", "exec", "nosuch", "--", "ls", "-h"}, dir.path(), &emu);
  CHECK(help.exit_code == 1);
  CHECK_FALSE(contains(help.out, "Usage:"));
  CHECK(emu.total_calls() == 0);
}

TEST_CASE("koophone exec against the embedded emulator (endpoint = \"emulator\"), one provider of several",
          "[e2e][koophone]") {
  TempDir dir;
  // The tencent_bm provider has no credentials (plan would stop on them): exec
  // connects the set's provider only, so it runs.
  dir.write("main.toml", kp_manifest("emulator", "fleet", id_list(1, 33)) +
                             "\n[provider.tencent_bm]\nendpoint = \"https://127.0.0.1:1\"\nregion = \"ap-guangzhou\"\n");
  const std::map<std::string, std::string> env = {{"CPHFORM_EMULATOR_KOOPHONE_INSTANCES", "40"},
                                                  {"CPHFORM_EMULATOR_TIME_SCALE", "1000"},
                                                  {"CPHFORM_POLL_INITIAL_MS", "20"},
                                                  {"CPHFORM_POLL_MAX_MS", "100"},
                                                  {"TENCENTCLOUD_SECRET_ID", ""},
                                                  {"TENCENTCLOUD_SECRET_KEY", ""}};
  auto r = run_cphform({"koophone", "exec", "fleet", "--", "getprop", "ro.product.model"}, dir.path(), nullptr, "", env);
  REQUIRE_RUN(r, 0);
  CHECK(contains(r.out, "koophone_instances.fleet: running \"getprop ro.product.model\" on 33 instances"));
  CHECK(contains(r.out, "embedded emulator at http://127.0.0.1:"));
  CHECK(lines_starting(r.out, "kp0") == 33);
  CHECK(contains(r.out, "33 succeeded, 0 failed (2 command calls"));
  CHECK_FALSE(has_state(dir.path()));
  auto plan = run_cphform({"plan"}, dir.path(), nullptr, "", env);
  CHECK(plan.exit_code == 1);
  CHECK(contains(plan.err, "TENCENTCLOUD_SECRET_ID"));
}

TEST_CASE("koophone exec -timeout: instances still running fail with TIMEOUT and their task id", "[e2e][koophone]") {
  EmulatorProcess emu(0.01, {"--koophone-instances", "3"});  // a job takes 2 simulated seconds: 200 s here
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), "fleet", id_list(1, 3)));
  const auto start = std::chrono::steady_clock::now();
  auto r = run_cphform({"koophone", "exec", "-timeout=1s", "fleet", "--", "id"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(r, 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  REQUIRE(lines_starting(r.out, "task ") == 1);
  const std::string task = r.out.substr(r.out.find("\ntask ") + 6, 32);
  CHECK(contains(r.out, "kp000001  failed TIMEOUT still running after 1 s (task " + task + ")"));
  CHECK(contains(r.out, "0 succeeded, 3 failed"));
}
