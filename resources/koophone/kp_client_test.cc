// The KooPhone client (kp_client.h, kp_auth.h) against the in-process
// emulator over real HTTP: batches of 32, concurrent status calls within the
// parallelism, the A-37 fallback, x-request-id, video settings, reset,
// commands with their task, AK/SK and IAM tokens (renewal before expiry and
// once on 401; a wrong password fails before any call of the API).
#include <thread>

#include "resources/koophone/kp_test_support.h"

using namespace cph;
using namespace cph::koophone;
using namespace cph::koophone::testing;

namespace {
VideoSetting wifi(int rate720) { return VideoSetting{"WIFI", "H264", {1000, 30}, {rate720, 30}, {4000, 60}}; }
}  // namespace

TEST_CASE("koophone client: status of 100 instances in ceil(100/32) calls, unknown ids absent", "[koophone]") {
  KpFixture f;
  auto client = f.aksk_client();
  client->set_parallelism(2);
  std::vector<std::string> ids = kp_range(1, 99);
  ids.push_back("notmine1");
  f.admin("POST", "/_emulator/koophone/instances", {{"instance_id", kp_id(7)}, {"status", 5}});
  const std::map<std::string, int> st = f.run(client->query_status(ids));
  CHECK(st.size() == 99);
  CHECK(st.at(kp_id(1)) == 2);
  CHECK(st.at(kp_id(7)) == 5);
  CHECK_FALSE(st.count("notmine1"));
  CHECK(client->calls("POST /v1/instances/batch-query-status") == 4);
  CHECK(f.emulator_count("POST /v1/instances/batch-query-status") == 4);
  // the example's shape is read too.
  f.admin("POST", "/_emulator/koophone/config", {{"status_shape", "example"}});
  CHECK(f.run(client->query_status(kp_range(1, 40))).size() == 40);
}

TEST_CASE("koophone client: video settings, reset through status 4 to 2, 14.5 rules", "[koophone]") {
  KpFixture f;
  auto client = f.aksk_client();
  for (const std::vector<std::string>& batch : batches_of(kp_range(1, 100))) f.run(client->set_video(batch, {wifi(2000)}));
  CHECK(client->calls("PUT /v1/instances/video-setting") == 4);
  const json one = f.admin("GET", "/_emulator/koophone/instances?id=" + kp_id(100))["instances"][0];
  CHECK(one["video_settings"]["WIFI"]["video_spec_groups"][0]["definition_720P"]["code_rate"] == 2000);
  CHECK(video_setting_error(wifi(2000)).empty());
  CHECK(video_setting_error(wifi(2050)) == "720P code_rate must be 0 to 10000 kbps in steps of 100, not 2050");
  CHECK_THROWS_AS(f.run(client->set_video(kp_range(1, 33), {wifi(2000)})), std::invalid_argument);
  // The emulator's own check, through the client: a refusal.
  try {
    f.run(client->set_video(kp_range(1, 1), {wifi(2050)}));
    FAIL("accepted");
  } catch (const KpError& e) {
    CHECK(e.error_code == "KOOPHONE.API.1000");
    CHECK(e.refused());
  }
  f.run(client->reset(kp_range(1, 2)));
  CHECK(f.run(client->query_status(kp_range(1, 2))).at(kp_id(1)) == 4);
  f.admin("POST", "/_emulator/clock/advance", {{"seconds", 30}});
  CHECK(f.run(client->query_status(kp_range(1, 2))).at(kp_id(2)) == 2);
}

TEST_CASE("koophone client: sync and async commands, one failing instance", "[koophone]") {
  KpFixture f;
  auto client = f.aksk_client();
  f.admin("POST", "/_emulator/koophone/instances", {{"instance_id", kp_id(2)}, {"command_fails", true}});
  const std::vector<CommandResult> sync = f.run(client->sync_command(kp_range(1, 3), "ls -l /system"));
  REQUIRE(sync.size() == 3);
  CHECK(sync[0].status == 2);
  CHECK(sync[0].output == "kp000001: ls -l /system");
  CHECK(sync[1].status == -1);
  CHECK(sync[1].error_code == "CPS.0191");
  const AsyncCommand task = f.run(client->async_command(kp_range(1, 3), "getprop"));
  CHECK(task.job_instance.size() == 3);
  CHECK(f.run(client->query_task(task))[0].status == 1);
  f.admin("POST", "/_emulator/clock/advance", {{"seconds", 2}});
  const std::vector<CommandResult> done = f.run(client->query_task(task));
  REQUIRE(done.size() == 3);
  int failed = 0;
  for (const CommandResult& r : done) failed += r.status == -1 ? 1 : 0;
  CHECK(failed == 1);
  CHECK(f.emulator_count("GET /v1/instances/tasks/{task_id}") == 2);
}

TEST_CASE("koophone client: throttled calls are retried, a reset is not resent after a 500", "[koophone]") {
  KpFixture f(320);
  auto client = f.aksk_client();
  f.admin("POST", "/_emulator/faults", {{"throttle_rate", 0.3}, {"operations", {"POST /v1/instances/batch-query-status"}}});
  CHECK(f.run(client->query_status(kp_range(1, 320))).size() == 320);
  CHECK(client->calls("POST /v1/instances/batch-query-status") > 10);  // some were throttled and sent again
  f.admin("POST", "/_emulator/faults", {{"error_rate", 1.0}, {"operations", {"POST /v1/instances/batch-reset"}}});
  CHECK_THROWS_AS(f.run(client->reset(kp_range(1, 1))), KpError);
  CHECK(client->calls("POST /v1/instances/batch-reset") == 1);
}

TEST_CASE("koophone client: IAM password token, renewed before expiry; a wrong password fails first", "[koophone]") {
  // A 4-second token is due for renewal 2 s after issue (half its life, in
  // whole seconds): the first read has at least a second before that, where
  // a 2-second token could fall due within milliseconds of its issue.
  KpFixture f(40, 4);
  auto client = f.password_client("right-pw", f.url);
  CHECK(f.run(client->query_status(kp_range(1, 40))).size() == 40);
  CHECK(f.emulator_count("POST /v3/auth/tokens") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));  // past the renewal point
  CHECK(f.run(client->query_status(kp_range(1, 40))).size() == 40);
  CHECK(f.emulator_count("POST /v3/auth/tokens") == 2);
  CHECK(client->auth().description().find("right-pw") == std::string::npos);

  auto wrong = f.password_client("wrong-pw", f.url);
  try {
    f.run(wrong->reset(kp_range(1, 1)));
    FAIL("a wrong password was accepted");
  } catch (const AuthError& e) {
    CHECK(std::string(e.what()).find("refused the password with HTTP 401") != std::string::npos);
    CHECK(std::string(e.what()).find("wrong-pw") == std::string::npos);
  }
  CHECK(f.emulator_count("POST /v1/instances/batch-reset") == 0);
}

TEST_CASE("koophone client: a token refused with 401 is renewed once, then the 401 stands", "[koophone]") {
  KpFixture f;
  // Tokens from another IAM: the API does not know them.
  KpFixture other(0);
  auto client = f.password_client("right-pw", other.url);
  try {
    f.run(client->query_status(kp_range(1, 1)));
    FAIL("a foreign token was accepted");
  } catch (const KpError& e) {
    CHECK(e.http_status == 401);
    CHECK(e.error_code == "APIGW.0301");
  }
  CHECK(other.emulator_count("POST /v3/auth/tokens") == 2);
  CHECK(client->calls("POST /v1/instances/batch-query-status") == 2);
}

TEST_CASE("koophone client: token renewal rule", "[koophone]") {
  CHECK_FALSE(token_renewal_due(0, 86400, 86400 - 601));
  CHECK(token_renewal_due(0, 86400, 86400 - 600));
  CHECK_FALSE(token_renewal_due(0, 2, 0));
  CHECK(token_renewal_due(0, 2, 1));
}

TEST_CASE("koophone client: a malformed 200 is an error, never an empty answer", "[koophone]") {
  KpFixture f;
  auto client = f.aksk_client();
  for (const char* kind : {"text", "empty", "error_body", "truncated"}) {
    INFO(kind);
    f.admin("POST", "/_emulator/faults",
            {{"garbage_rate", 1.0}, {"garbage", kind}, {"operations", {"POST /v1/instances/batch-query-status"}}});
    CHECK_THROWS_AS(f.run(client->query_status(kp_range(1, 5))), KpMalformed);
  }
}
