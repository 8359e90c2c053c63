// The KooPhone client (kp_client.h, kp_auth.h) against the in-process
// emulator over real HTTP: batches of 32, concurrent status calls within the
// parallelism, the A-37 fallback, x-request-id, video settings, reset,
// commands with their task, AK/SK and IAM tokens (renewal before expiry and
// once on 401; a wrong password fails before any call of the API).
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "resources/koophone/kp_client.h"

using namespace cph;
using namespace cph::koophone;
using nlohmann::json;

namespace {
const cloud::Credentials kKpCreds{"KPEXAMPLEAK123456789", "KpExampleSecretKey0123456789abcdefghijk", "0a1b2c3d4e5f67890a1b2c3d4e5f6789",
                                  "cn-east-3"};

std::string kp_id(int n) {
  char id[16];
  std::snprintf(id, sizeof id, "kp%06d", n);
  return id;
}
std::vector<std::string> kp_range(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back(kp_id(i));
  return out;
}

struct KpFixture {
  explicit KpFixture(int instances = 100, double token_lifetime_s = 24 * 3600) : emu(options(instances, token_lifetime_s)) {
    emu.start();
    url = cloud::parse_url(emu.url());
  }
  static emulator::Options options(int instances, double token_lifetime_s) {
    emulator::Options o;
    o.credentials = {emulator::Credential{kKpCreds.access_key, kKpCreds.secret_key, kKpCreds.project_id}};
    o.time_scale = 0;
    o.koophone_instances = instances;
    o.iam_token_lifetime_s = token_lifetime_s;
    o.iam_users = {emulator::parse_iam_user("kpuser:right-pw:acme:" + kKpCreds.project_id)};
    return o;
  }
  std::unique_ptr<KooPhoneClient> aksk_client() {
    return std::make_unique<KooPhoneClient>(io.get_executor(), url, aksk_auth(cloud::FoundCredentials{kKpCreds, "test", "", false}));
  }
  std::unique_ptr<KooPhoneClient> password_client(const std::string& password, const cloud::Url& iam) {
    return std::make_unique<KooPhoneClient>(io.get_executor(), url,
                                            password_token_auth(io.get_executor(), iam, PasswordLogin{"kpuser", password, "acme", "cn-east-3"}));
  }
  template <class T>
  T run(asio::awaitable<T> aw) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
      error = e;
      if (!e) result = std::move(v);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
  void run(asio::awaitable<void> aw) {
    std::exception_ptr error;
    asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e) { error = e; });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
  }
  // The emulator's admin API, synchronously.
  json admin(const std::string& method, const std::string& path, const json& body = json::object()) {
    namespace beast = boost::beast;
    boost::asio::io_context admin_io;
    beast::tcp_stream stream(admin_io);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), emu.port()));
    beast::http::request<beast::http::string_body> req{beast::http::string_to_verb(method), path, 11};
    req.set(beast::http::field::host, "127.0.0.1");
    req.body() = body.dump();
    req.prepare_payload();
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    return json::parse(res.body());
  }
  int64_t emulator_count(const std::string& op) {
    const json ops = admin("GET", "/_emulator/stats")["operations"];
    return ops.contains(op) ? ops[op]["count"].get<int64_t>() : 0;
  }

  asio::io_context io;
  emulator::EmbeddedEmulator emu;
  cloud::Url url;
};

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
  KpFixture f(40, 2);
  auto client = f.password_client("right-pw", f.url);
  CHECK(f.run(client->query_status(kp_range(1, 40))).size() == 40);
  CHECK(f.emulator_count("POST /v3/auth/tokens") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));  // the 2-second token has expired
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
