// Issue 15: the koophone provider end to end, against `emulator serve
// --koophone-instances N` over HTTP: a set of 100 instances adopted by id,
// its video settings applied and changed in PUT calls of 32, a no-change
// plan that reads statuses in pages of 32, an instance shut down outside
// cphform reported as drift, a reset that needs consent and names each
// instance, and IAM token authentication (renewal mid-run, a wrong
// password refused before any call).
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "common/sqlite.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
using Json = nlohmann::json;

namespace {

const std::string kVideo = "PUT /v1/instances/video-setting";
const std::string kStatus = "POST /v1/instances/batch-query-status";
const std::string kReset = "POST /v1/instances/batch-reset";
const std::string kToken = "POST /v3/auth/tokens";

std::string id_of(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "kp%06d", i);
  return id;
}

std::string ids(int first, int n) {
  std::string out = "[";
  for (int i = first; i < first + n; ++i) out += std::string(i == first ? "" : ", ") + "\"" + id_of(i) + "\"";
  return out + "]";
}

// [koophone_instances.fleet] of `instances` with WIFI settings whose 720P
// code rate is `rate_720`.
std::string kp_manifest(const std::string& endpoint, const std::string& instances, int rate_720 = 2000,
                        const std::string& provider_extra = "") {
  return "[provider.kp]\ntype = \"koophone\"\nendpoint = \"" + endpoint + "\"\n" + provider_extra +
         "\n[koophone_instances.fleet]\ninstance_ids = " + instances +
         "\nvideo_settings = [\n  { network_type = \"WIFI\", definition_540p = { code_rate = 1000, fps = 30 }, "
         "definition_720p = { code_rate = " + std::to_string(rate_720) + ", fps = 30 }, "
         "definition_1080p = { code_rate = 4000, fps = 60 } },\n]\n";
}

const std::map<std::string, std::string> kQuickPolls = {{"CPHFORM_POLL_INITIAL_MS", "20"},
                                                         {"CPHFORM_POLL_MAX_MS", "100"}};

// instance_id -> the emulator's record of it (admin listing).
std::map<std::string, Json> instances(const EmulatorProcess& emu) {
  std::map<std::string, Json> out;
  const Json listing = emu.admin("/_emulator/koophone/instances");  // named: the loop reads into it
  for (const Json& i : listing["instances"]) out[i["instance_id"].get<std::string>()] = i;
  return out;
}

// The 720P code rate an instance got for WIFI (-1: none).
int wifi_720(const Json& instance) {
  const Json& v = instance["video_settings"];
  if (!v.contains("WIFI")) return -1;
  return v["WIFI"]["video_spec_groups"][0]["definition_720P"]["code_rate"].get<int>();
}

// Journal entries of `operation` in `status` ("answered", "intent", ...).
int entries(const std::filesystem::path& dir, const std::string& operation, const std::string& status) {
  if (!std::filesystem::exists(dir / ".cphform" / "state.db")) return 0;
  cph::sql::Db db((dir / ".cphform" / "state.db").string());
  cph::sql::Stmt q(db, "SELECT count(*) FROM journal WHERE status = ? AND operation = ?");
  q.bind(1, status);
  q.bind(2, operation);
  return q.step() ? static_cast<int>(q.integer(0)) : 0;
}

}  // namespace

TEST_CASE("100 adopted instances: settings in 4 calls, a change in 4 more, a no-change plan reads 4 status pages, "
          "a shut-down instance is drift", "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "120"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 100)));
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "video settings to 100 instances in 4 calls of up to 32"));
  CHECK(contains(plan.out, "cannot be read back"));
  CHECK(emu.calls(kVideo) == 0);

  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  CHECK(emu.calls(kVideo) == 4);  // ceil(100 / 32)
  auto live = instances(emu);
  for (int i = 1; i <= 120; ++i) {
    INFO(id_of(i));
    CHECK(wifi_720(live.at(id_of(i))) == (i <= 100 ? 2000 : -1));
  }

  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 100), 2500));
  auto change = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(change, 0);
  CHECK(contains(change.out, "1 changed"));
  CHECK(emu.calls(kVideo) == 8);
  live = instances(emu);
  for (int i = 1; i <= 100; ++i) CHECK(wifi_720(live.at(id_of(i))) == 2500);

  const int64_t status_before = emu.calls(kStatus);
  auto same = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(same, 0);
  CHECK(contains(same.out, "No changes."));
  CHECK(emu.calls(kStatus) - status_before == 4);  // ceil(100 / 32) status pages, nothing else
  CHECK(emu.calls(kVideo) == 8);

  emu.admin("/_emulator/koophone/instances", "POST", R"({"instance_id": "kp000007", "status": 5})");
  auto drift = run_cphform({"drift"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(drift.exit_code == 2);
  CHECK(contains(drift.out, "koophone_instances.fleet"));
  CHECK(contains(drift.out, "kp000007"));
  CHECK(contains(drift.out, "shut down"));
  auto refresh_only = run_cphform({"plan", "-refresh-only", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(refresh_only.exit_code == 2);
  CHECK(contains(refresh_only.out, "shut down"));
  // A first plan of a set says so too, before anything is recorded.
  TempDir fresh;
  fresh.write("main.toml", kp_manifest(emu.url(), ids(1, 10)));
  auto first = run_cphform({"plan"}, fresh.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(first, 0);
  CHECK(contains(first.out + first.err, "1 of 10 KooPhone instances are not running: kp000007 (shut down)"));
}

TEST_CASE("an instance joining the set gets the settings; an unknown id is refused before any call",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 10)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  CHECK(emu.calls(kVideo) == 1);

  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 12)));
  auto join = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(join, 0);
  CHECK(contains(join.out, "video settings to 2 instances in 1 call"));
  auto live = instances(emu);
  CHECK(live.at("kp000012")["video_setting_calls"] == 1);
  CHECK(live.at("kp000001")["video_setting_calls"] == 1);  // not sent again

  dir.write("main.toml", kp_manifest(emu.url(), R"(["kp000001", "kp999999"])"));
  const int64_t calls_before = emu.calls(kVideo);
  auto unknown = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "koophone_instances.fleet: KooPhone does not know instance kp999999"));
  CHECK(emu.calls(kVideo) == calls_before);
}

TEST_CASE("a reset is refused without consent; with it every instance is reset, named, and gets its settings again",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40", "--durations", R"({"koophone_reset_s": 200})"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 40)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  CHECK(emu.calls(kVideo) == 2);

  auto refused = run_cphform({"apply", "-auto-approve", "-replace=koophone_instances.fleet"}, dir.path(), &emu, "",
                             kQuickPolls);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "refusing to replace koophone_instances.fleet"));
  CHECK(contains(refused.err, "-allow-data-loss"));
  CHECK(emu.calls(kReset) == 0);

  auto reset = run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet"},
                           dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(reset, 0);
  CHECK(emu.calls(kReset) == 2);  // ceil(40 / 32)
  CHECK(emu.calls(kVideo) == 4);  // the settings again: 14.7 does not say a reset keeps them
  for (int i = 1; i <= 40; ++i) CHECK(contains(reset.out, "koophone_instances.fleet: " + id_of(i) + " reset, running"));
  const auto live = instances(emu);
  for (int i = 1; i <= 40; ++i) {
    INFO(id_of(i));
    CHECK(live.at(id_of(i))["resets"] == 1);
    CHECK(live.at(id_of(i))["status"] == 2);
  }
  auto after = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(after, 0);

  // One instance of the set: -replace=ADDR[ID].
  auto stranger = run_cphform({"plan", "-replace=koophone_instances.fleet[kp000099]"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(stranger.exit_code == 1);
  CHECK(contains(stranger.err, "-replace=koophone_instances.fleet[kp000099]: koophone_instances.fleet is not both"));
  auto one = run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet[kp000005]"},
                         dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(one, 0);
  CHECK(contains(one.out, "-replace asked for kp000005"));
  CHECK(contains(one.out, "reset 1 instance in 1 call"));
  CHECK(contains(one.out, "koophone_instances.fleet: kp000005 reset, running"));
  CHECK_FALSE(contains(one.out, "kp000006 reset"));
  CHECK(emu.calls(kReset) == 3);
  CHECK(emu.calls(kVideo) == 5);  // the settings again to kp000005 only
  const auto now = instances(emu);
  CHECK(now.at("kp000005")["resets"] == 2);
  CHECK(now.at("kp000006")["resets"] == 1);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls), 0);
}

TEST_CASE("IAM tokens: a 2-second token is renewed during the run, which succeeds; a wrong password changes nothing",
          "[e2e][koophone]") {
  const std::string project = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
  EmulatorProcess emu(1000.0,
                      {"--koophone-instances", "40", "--iam-token-lifetime", "2", "--iam-user",
                       "kpuser:Kp-Pass-1:kpdomain:" + project, "--durations", R"({"koophone_reset_s": 3000})"},
                      project);
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 40), 2000, "region = \"cn-east-3\"\n"));
  std::map<std::string, std::string> env = kQuickPolls;
  env["HW_USER_NAME"] = "kpuser";
  env["HW_DOMAIN_NAME"] = "kpdomain";

  env["HW_USER_PASSWORD"] = "wrong";
  auto wrong = run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", env);
  CHECK(wrong.exit_code == 1);
  CHECK(contains(wrong.err, "401"));
  CHECK(emu.calls(kVideo) == 0);
  CHECK(emu.calls(kStatus) == 0);

  env["HW_USER_PASSWORD"] = "Kp-Pass-1";
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", env), 0);
  const int64_t tokens_before = emu.calls(kToken);
  // The reset runs 3 s of wall time: the token, due for renewal after 1 s,
  // is renewed while its instances are followed.
  auto reset = run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet"},
                           dir.path(), nullptr, "", env);
  REQUIRE_RUN(reset, 0);
  CHECK(emu.calls(kToken) - tokens_before >= 2);
  CHECK(emu.calls(kReset) == 2);
  for (const auto& [id, i] : instances(emu)) CHECK(i["resets"] == 1);
}

TEST_CASE("examples/koophone applies against the embedded emulator; a set is imported by its ids",
          "[e2e][koophone]") {
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src);
  TempDir dir;
  std::filesystem::copy_file(std::filesystem::path(src) / "examples" / "koophone" / "main.toml", dir.path() / "main.toml");
  auto plan = run_cphform({"plan"}, dir.path(), nullptr, "", kQuickPolls);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "video settings to 40 instances in 2 calls of up to 32"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", kQuickPolls), 0);
  auto again = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), nullptr, "", kQuickPolls);
  REQUIRE_RUN(again, 0);

  EmulatorProcess emu(1000.0, {"--koophone-instances", "5"});
  TempDir other;
  other.write("main.toml", "[provider.kp]\ntype = \"koophone\"\nendpoint = \"" + emu.url() +
                               "\"\n\n[koophone_instances.pair]\ninstance_ids = [\"kp000001\", \"kp000002\"]\n");
  auto unknown = run_cphform({"import", "koophone_instances.pair", "kp000001,kp000404"}, other.path(), &emu, "");
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "kp000404"));
  REQUIRE_RUN(run_cphform({"import", "koophone_instances.pair", "kp000001,kp000002"}, other.path(), &emu, ""), 0);
  auto imported = run_cphform({"plan", "-detailed-exitcode"}, other.path(), &emu, "");
  REQUIRE_RUN(imported, 0);  // no video settings declared: nothing to do
  CHECK(contains(imported.out, "No changes."));
}

TEST_CASE("instance_ids_file: a file of ids, one a line; its bad lines and a missing file are manifest errors",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40"});
  TempDir dir;
  const std::string manifest = "[provider.kp]\ntype = \"koophone\"\nendpoint = \"" + emu.url() +
                               "\"\n\n[koophone_instances.fleet]\ninstance_ids_file = \"fleet.txt\"\n"
                               "video_settings = [{ network_type = \"WIFI\", definition_540p = { code_rate = 1000, fps = 30 }, "
                               "definition_720p = { code_rate = 2000, fps = 30 }, definition_1080p = { code_rate = 4000, fps = 60 } }]\n";
  dir.write("main.toml", manifest);
  std::string file = "# the studio's phones\n";
  for (int i = 1; i <= 33; ++i) file += id_of(i) + (i == 10 ? "\n\n" : "\n");
  dir.write("fleet.txt", file);
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "video settings to 33 instances in 2 calls of up to 32"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  CHECK(emu.calls(kVideo) == 2);

  dir.write("fleet.txt", file + "kp 34\n");
  auto bad = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "main.toml:6:21: error:"));
  CHECK(contains(bad.err, "\"kp 34\""));

  std::filesystem::remove(dir.path() / "fleet.txt");
  auto missing = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "main.toml:6:21: error:"));
  CHECK(contains(missing.err, "fleet.txt"));
  CHECK(emu.calls(kVideo) == 2);
}

TEST_CASE("kill -9 while reset instances start: the next apply follows them, resets nothing twice, and re-applies "
          "the settings", "[e2e][koophone]") {
  // A reset takes 3000 simulated seconds: 3 s at this scale.
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40", "--durations", R"({"koophone_reset_s": 3000})"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 40)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  auto apply = start_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet"},
                             dir.path(), &emu, "first", kQuickPolls);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (entries(dir.path(), "reset", "answered") < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(entries(dir.path(), "reset", "answered") == 2);
  apply->signal(SIGKILL);
  apply->wait();
  CHECK(emu.calls(kReset) == 2);
  CHECK(emu.calls(kVideo) == 2);  // the first apply's only

  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "is followed until its instances run"));
  CHECK(contains(plan.out, "video settings to 40 instances"));
  auto again = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(again, 0);
  CHECK(emu.calls(kReset) == 2);  // no second reset
  CHECK(emu.calls(kVideo) == 4);  // the settings again, once
  for (const auto& [id, i] : instances(emu)) {
    INFO(id);
    CHECK(i["resets"] == 1);
    CHECK(i["status"] == 2);
  }
  CHECK(entries(dir.path(), "reset", "answered") == 0);
  auto after = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(after, 0);
}

TEST_CASE("lost answers: a processed reset is never sent again on its own; a processed PUT is sent again",
          "[e2e][koophone]") {
  EmulatorProcess emu(1000.0, {"--koophone-instances", "40"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 40)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);

  emu.set_faults({{"processed_reset_rate", 1}, {"operations", {kReset}}});
  auto lost = run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet"},
                          dir.path(), &emu, "", kQuickPolls);
  CHECK(lost.exit_code == 1);
  CHECK(emu.calls(kReset) == 1);  // the first call's outcome is unknown: nothing more is sent
  emu.set_faults(Json::object());
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "got no answer: the instances may or may not have been reset"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  CHECK(emu.calls(kReset) == 1);
  auto live = instances(emu);
  for (int i = 1; i <= 40; ++i) CHECK(live.at(id_of(i))["resets"] == (i <= 32 ? 1 : 0));

  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 40), 3000));
  emu.set_faults({{"processed_reset_rate", 1}, {"operations", {kVideo}}});
  auto lost_put = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  CHECK(lost_put.exit_code == 1);
  const int64_t puts = emu.calls(kVideo);
  emu.set_faults(Json::object());
  auto again = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(again, 0);
  CHECK(contains(again.out, "got no answer; the state does not count them"));
  CHECK(emu.calls(kVideo) == puts + 2);  // the whole set again: the first call's instances were not recorded
  live = instances(emu);
  for (int i = 1; i <= 40; ++i) CHECK(wifi_720(live.at(id_of(i))) == 3000);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls), 0);
}

TEST_CASE("reset instances that do not run within the timeout: a clear error, then the next apply follows them",
          "[e2e][koophone]") {
  // A reset takes 4000 simulated seconds: 4 s at this scale; apply waits 1 s.
  EmulatorProcess emu(1000.0, {"--koophone-instances", "3", "--durations", R"({"koophone_reset_s": 4000})"});
  TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), ids(1, 3)));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls), 0);
  std::map<std::string, std::string> env = kQuickPolls;
  env["CPHFORM_POLL_TIMEOUT_MS"] = "1000";
  auto slow = run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=koophone_instances.fleet"},
                          dir.path(), &emu, "", env);
  CHECK(slow.exit_code == 1);
  CHECK(contains(slow.err, "koophone_instances.fleet: after 1 s these reset instances were still not running: "
                           "kp000001 (starting), kp000002 (starting), kp000003 (starting)"));
  CHECK(entries(dir.path(), "reset", "answered") == 1);
  auto resumed = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kQuickPolls);
  REQUIRE_RUN(resumed, 0);
  CHECK(emu.calls(kReset) == 1);
  for (const auto& [id, i] : instances(emu)) CHECK(i["status"] == 2);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu, "", kQuickPolls), 0);
}
