// Issue 16: the tencent_bm provider end to end, against `emulator serve
// --tencent-devices N` over HTTP: root passwords rotated in batches with one
// task each, kill -9 while the tasks run, a write-only password that reaches
// no file and no output, and bad input refused before any call.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "common/crypto.h"
#include "common/sqlite.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kCanary = "Cn4ry+Pw-8d1e";  // a valid Linux password: letters, digits, specials
const std::string kReset = "POST /v2/index.php?Action=ResetDevicePasswd";
const std::string kTaskQuery = "POST /v2/index.php?Action=DescriptionOperationResult";

std::string device_list(int first, int n) {
  std::string out = "[";
  for (int i = first; i < first + n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "cpm-%08d", i);
    out += std::string(i == first ? "" : ", ") + "\"" + id + "\"";
  }
  return out + "]";
}

// One [bm_root_password.fleet] of `devices`, its password from the
// sensitive variable root_password.
std::string bm_manifest(const std::string& endpoint, const std::string& devices, const std::string& extra = "") {
  return "[provider.tencent_bm]\nendpoint = \"" + endpoint + "\"\nregion = \"ap-guangzhou\"\n\n"
         "[variables.root_password]\nsensitive = true\n\n"
         "[bm_root_password.fleet]\ninstance_ids = " + devices + "\npassword = \"${var.root_password}\"\n" + extra;
}

// Tencent's credentials are the emulator's keys; the password comes from the environment.
std::map<std::string, std::string> bm_env(const EmulatorProcess& emu, const std::string& password = kCanary) {
  return {{"TENCENTCLOUD_SECRET_ID", emu.credentials().access_key},
          {"TENCENTCLOUD_SECRET_KEY", emu.credentials().secret_key},
          {"CPHFORM_VAR_root_password", password},
          {"CPHFORM_POLL_INITIAL_MS", "20"},
          {"CPHFORM_POLL_MAX_MS", "100"}};
}

// instanceId -> passwordResets, from the emulator's admin listing.
std::map<std::string, int64_t> resets_by_device(const EmulatorProcess& emu) {
  std::map<std::string, int64_t> out;
  const Json listing = emu.admin("/_emulator/tencent/devices");  // named: the loop reads into it
  for (const Json& d : listing["devices"])
    out[d["instanceId"].get<std::string>()] = d["passwordResets"].get<int64_t>();
  return out;
}

int answered_entries(const fs::path& dir) {
  if (!fs::exists(dir / ".cphform" / "state.db")) return 0;
  cph::sql::Db db((dir / ".cphform" / "state.db").string());
  cph::sql::Stmt q(db, "SELECT count(*) FROM journal WHERE status = 'answered' AND operation = 'reset_password'");
  return q.step() ? static_cast<int>(q.integer(0)) : 0;
}

}  // namespace

TEST_CASE("50 devices in batches, kill -9 while the tasks run: the re-apply follows them and resets nothing twice",
          "[e2e][tencent]") {
  // A reset takes 300 simulated seconds: 3 s at this scale.
  EmulatorProcess emu(100.0, {"--tencent-devices", "60", "--durations", R"({"tencent_reset_password_s": 300})"});
  TempDir dir;
  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 50)));
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "50 devices in 3 calls of up to 20"));
  CHECK(contains(plan.out, "password         = (sensitive value)"));

  auto apply = start_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "first", bm_env(emu));
  // Killed once every call was answered and journaled, while the tasks run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered_entries(dir.path()) < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(answered_entries(dir.path()) == 3);
  apply->signal(SIGKILL);
  apply->wait();
  CHECK(emu.calls(kReset) == 3);  // ceil(50 / 20), one task each
  for (const auto& [id, n] : resets_by_device(emu)) CHECK(n == 0);  // still running

  auto again = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(again, 0);
  CHECK(contains(again.out, "follow"));
  CHECK(emu.calls(kReset) == 3);  // no second reset
  CHECK(emu.calls(kTaskQuery) >= 3);
  const auto resets = resets_by_device(emu);
  for (int i = 1; i <= 60; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "cpm-%08d", i);
    INFO(id);
    CHECK(resets.at(id) == (i <= 50 ? 1 : 0));
  }
  auto after = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(after, 0);
  CHECK(contains(after.out, "No changes."));
}

TEST_CASE("devices that join get the password, devices that leave are left alone, a new version resets all",
          "[e2e][tencent]") {
  EmulatorProcess emu(1000.0, {"--tencent-devices", "10"});
  TempDir dir;
  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 4)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu)), 0);
  CHECK(emu.calls(kReset) == 1);

  dir.write("main.toml", bm_manifest(emu.url(), device_list(2, 4)));  // 1 leaves, 5 joins
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "1 device in 1 call of up to 20; cpm-00000001 leaves the set and keeps its password"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu)), 0);
  auto resets = resets_by_device(emu);
  CHECK(resets.at("cpm-00000001") == 1);
  CHECK(resets.at("cpm-00000002") == 1);
  CHECK(resets.at("cpm-00000005") == 1);

  // The same password again: nothing to do. A new password_version: every device.
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", bm_env(emu)), 0);
  dir.write("main.toml", bm_manifest(emu.url(), device_list(2, 4), "password_version = 2\n"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu)), 0);
  resets = resets_by_device(emu);
  CHECK(resets.at("cpm-00000001") == 1);
  for (const char* id : {"cpm-00000002", "cpm-00000003", "cpm-00000004", "cpm-00000005"}) CHECK(resets.at(id) == 2);
  // A changed password is planned as a change, without showing either value.
  auto changed = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", bm_env(emu, "Other+Pw-2024"));
  REQUIRE_RUN(changed, 2);
  CHECK(contains(changed.out, "password = (sensitive value) -> (sensitive value)"));
  CHECK(contains(changed.out, "4 devices in 1 call"));
}

TEST_CASE("a failed task fails the set naming its devices; the devices that reset are recorded", "[e2e][tencent]") {
  EmulatorProcess emu(100.0, {"--tencent-devices", "30", "--durations", R"({"tencent_reset_password_s": 200})"});
  TempDir dir;
  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 30)));
  auto apply = start_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "first", bm_env(emu));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (emu.calls(kReset) < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // The second batch's device loses its agent while the task runs.
  emu.admin("/_emulator/tencent/devices", "POST", R"({"instanceId": "cpm-00000025", "agentAlive": false})");
  CHECK(apply->wait() == 1);
  const std::string err = slurp(dir.path() / "first.err");
  CHECK(contains(err, "bm_root_password.fleet"));
  CHECK(contains(err, "cpm-00000025"));
  CHECK(contains(err, "task 2"));

  // The first batch is recorded: the re-apply resets only the second.
  emu.admin("/_emulator/tencent/devices", "POST", R"({"instanceId": "cpm-00000025", "agentAlive": true})");
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "10 devices in 1 call"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu)), 0);
  CHECK(emu.calls(kReset) == 3);
  const auto resets = resets_by_device(emu);
  CHECK(resets.at("cpm-00000001") == 1);
  CHECK(resets.at("cpm-00000025") == 1);
}

TEST_CASE("bad passwords and device ids fail at load time, unknown devices with the mapped code, changing nothing",
          "[e2e][tencent]") {
  EmulatorProcess emu(1000.0, {"--tencent-devices", "5"});
  TempDir dir;
  auto refused = [&](const std::string& manifest, const std::string& password, const std::string& message) {
    dir.write("main.toml", manifest);
    auto r = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu, password));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "main.toml:"));
    CHECK(contains(r.err, message));
    CHECK_FALSE(contains(r.err + r.out, password));
  };
  refused(bm_manifest(emu.url(), device_list(1, 2)), "short1", "8 to 16 characters");
  refused(bm_manifest(emu.url(), device_list(1, 2)), "onlyletters", "at least two of");
  refused(bm_manifest(emu.url(), device_list(1, 2), "os = \"windows\"\n"), "abc123def456", "at least three of");
  refused(bm_manifest(emu.url(), device_list(1, 2), "os = \"windows\"\n"), "xADMINISTRATORx1", "must not contain");
  refused(bm_manifest(emu.url(), "[\"cpm-XY\"]"), kCanary, "must look like \"cpm-34xs43xs\"");
  CHECK(emu.total_calls() == 0);
  CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "state.db"));

  // Well formed, but the cloud has no such device: 10001, named and explained.
  dir.write("main.toml", bm_manifest(emu.url(), "[\"cpm-00000001\", \"cpm-99999999\"]"));
  auto unknown = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(unknown, 1);
  CHECK(contains(unknown.err, "bm_root_password.fleet"));
  CHECK(contains(unknown.err, "code 10001 InvalidParameter"));
  CHECK(resets_by_device(emu).at("cpm-00000001") == 0);
  auto list = run_cphform({"state", "list"}, dir.path(), &emu, "", bm_env(emu));
  CHECK(list.out.empty());
  // A refused call closes its journal entry: nothing is left to resume.
  auto journal = run_cphform({"journal", "list"}, dir.path(), &emu, "", bm_env(emu));
  CHECK_FALSE(contains(journal.out, "reset_password"));

  // A stopped device refuses with 12002.
  emu.admin("/_emulator/tencent/devices", "POST", R"({"instanceId": "cpm-00000002", "status": "stopped"})");
  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 2)));
  auto stopped = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", bm_env(emu));
  REQUIRE_RUN(stopped, 1);
  CHECK(contains(stopped.err, "code 12002 OperationDenied.IncorrectInstanceStatus"));
  // No credentials: a clear error before any call.
  const int64_t calls = emu.total_calls();
  auto no_keys = run_cphform({"plan"}, dir.path(), &emu, "", {{"CPHFORM_VAR_root_password", kCanary},
                                                             {"TENCENTCLOUD_SECRET_ID", ""}, {"TENCENTCLOUD_SECRET_KEY", ""}});
  REQUIRE_RUN(no_keys, 1);
  CHECK(contains(no_keys.err, "TENCENTCLOUD_SECRET_ID"));
  CHECK(emu.total_calls() == calls);
}

TEST_CASE("the write-only password reaches no file cphform writes and no output of any command", "[e2e][tencent]") {
  EmulatorProcess emu(1000.0, {"--tencent-devices", "5"});
  TempDir dir;
  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 3)));
  std::vector<std::pair<std::string, RunResult>> runs;
  auto run = [&](const std::vector<std::string>& args, int code, const std::string& password = kCanary) {
    RunResult r = run_cphform(args, dir.path(), &emu, "", bm_env(emu, password));
    std::string line;
    for (const auto& a : args) line += a + " ";
    INFO(line);
    REQUIRE_RUN(r, code);
    runs.emplace_back(line, r);
    return r;
  };
  run({"validate"}, 0);
  run({"plan"}, 0);
  run({"plan", "-json"}, 0);
  run({"plan", "-out=tf.plan"}, 0);
  run({"show", "tf.plan"}, 0);
  auto show_json = run({"show", "-json", "tf.plan"}, 0);
  const Json change = Json::parse(show_json.out)["resource_changes"][0]["change"];
  CHECK(change["after"]["password"].is_null());
  CHECK(change["after_sensitive"]["password"] == true);
  run({"graph"}, 0);
  run({"apply", "tf.plan"}, 0);  // the saved plan gets the value back from the variable
  const std::string sha = cph::crypto::sha256_hex(kCanary);
  for (const auto& [id, n] : resets_by_device(emu)) CHECK(n == (id <= "cpm-00000003" ? 1 : 0));
  const Json listing = emu.admin("/_emulator/tencent/devices");
  for (const Json& d : listing["devices"])
    if (d["instanceId"] <= "cpm-00000003") CHECK(d["passwordSha256"] == sha);

  dir.write("main.toml", bm_manifest(emu.url(), device_list(1, 3), "password_version = 1\n"));
  run({"apply", "-auto-approve", "-json"}, 0);
  run({"plan", "-refresh-only"}, 0);
  run({"state", "list"}, 0);
  auto state_show = run({"state", "show", "bm_root_password.fleet"}, 0);
  CHECK(contains(state_show.out, "password"));
  run({"state", "pull"}, 0);  // unlike a sensitive value, a write-only one is not in the state at all
  run({"history"}, 0);
  run({"journal", "list"}, 0);
  run({"output"}, 0);
  run({"drift"}, 0);
  run({"drift", "-format=json"}, 0);
  run({"drift", "-format=markdown"}, 0);
  run({"drift", "-json"}, 0);
  run({"drift", "-out=drift.md", "-format=markdown"}, 0);
  run({"drift", "-out=drift.json", "-format=json"}, 0);
  // A rotation to another password, then back: planned by digest.
  run({"apply", "-auto-approve"}, 0, "Second+Pw-99");
  run({"apply", "-auto-approve", "-json"}, 0);
  run({"destroy", "-auto-approve"}, 0);

  for (const auto& [line, r] : runs) {
    INFO(line);
    CHECK_FALSE(contains(r.out, kCanary));
    CHECK_FALSE(contains(r.err, kCanary));
    CHECK_FALSE(contains(r.out + r.err, "Second+Pw-99"));
  }
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    INFO(entry.path().string());
    const std::string text = slurp(entry.path());
    CHECK_FALSE(contains(text, kCanary));
    CHECK_FALSE(contains(text, "Second+Pw-99"));
  }
  CHECK(files >= 5);  // main.toml, tf.plan, drift.md, drift.json, state.db at least
  CHECK(fs::exists(dir.path() / ".cphform" / "state.db"));
}

TEST_CASE("examples/tencent-bm rotates five devices against the embedded emulator", "[e2e][tencent]") {
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src);
  TempDir dir;
  fs::copy_file(fs::path(src) / "examples" / "tencent-bm" / "main.toml", dir.path() / "main.toml");
  const std::map<std::string, std::string> env{{"CPHFORM_VAR_root_password", kCanary}};
  auto plan = run_cphform({"plan"}, dir.path(), nullptr, "", env);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "5 devices in 1 call of up to 20"));
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", env);
  REQUIRE_RUN(apply, 0);
  CHECK(contains(apply.out, "1 added"));
  auto again = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), nullptr, "", env);
  REQUIRE_RUN(again, 0);
  CHECK_FALSE(contains(apply.out + again.out + slurp(dir.path() / ".cphform" / "state.db"), kCanary));
}

TEST_CASE("API keys from the provider block's sensitive variables; a wrong key fails with 4100 before any reset",
          "[e2e][tencent]") {
  EmulatorProcess emu(1000.0, {"--tencent-devices", "3"});
  TempDir dir;
  const std::string manifest =
      "[provider.tencent_bm]\nendpoint = \"" + emu.url() + "\"\nregion = \"ap-guangzhou\"\n"
      "secret_id = \"${var.tencent_id}\"\nsecret_key = \"${var.tencent_key}\"\n\n"
      "[variables.tencent_id]\ntype = \"string\"\n\n[variables.tencent_key]\ntype = \"string\"\nsensitive = true\n\n"
      "[variables.root_password]\nsensitive = true\n\n"
      "[bm_root_password.fleet]\ninstance_ids = " + device_list(1, 2) + "\npassword = \"${var.root_password}\"\n";
  dir.write("main.toml", manifest);
  std::map<std::string, std::string> env{{"TENCENTCLOUD_SECRET_ID", ""},
                                         {"TENCENTCLOUD_SECRET_KEY", ""},
                                         {"CPHFORM_VAR_tencent_id", emu.credentials().access_key},
                                         {"CPHFORM_VAR_tencent_key", "wrong-key"},
                                         {"CPHFORM_VAR_root_password", kCanary}};
  auto wrong = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", env);
  REQUIRE_RUN(wrong, 1);
  CHECK(contains(wrong.err, "code 4100 Authentication failed"));
  CHECK(emu.stats().value(kReset, Json::object()).value("count", 0) <= 1);
  CHECK(resets_by_device(emu).at("cpm-00000001") == 0);

  env["CPHFORM_VAR_tencent_key"] = emu.credentials().secret_key;
  auto ok = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", env);
  REQUIRE_RUN(ok, 0);
  CHECK(resets_by_device(emu).at("cpm-00000002") == 1);
  for (const auto& entry : fs::recursive_directory_iterator(dir.path()))
    if (entry.is_regular_file()) CHECK_FALSE(contains(slurp(entry.path()), emu.credentials().secret_key));
  CHECK_FALSE(contains(ok.out + ok.err + wrong.out + wrong.err, emu.credentials().secret_key));

  // A CPH provider has no such attribute.
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\nsecret_id = \"x\"\n\n" + server_block("a", "a", 1));
  auto cph = run_cphform({"validate"}, dir.path(), &emu);
  REQUIRE_RUN(cph, 1);
  CHECK(contains(cph.err, "main.toml:3:1: error: provider: attribute \"secret_id\" is for tencent_bm providers, not \"cph\""));
}
