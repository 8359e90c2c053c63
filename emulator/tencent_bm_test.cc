// The Tencent bare-metal API (cph-api.md 13.3, tencent_bm.h) over a real
// socket: requests signed by resources/tencent/signer.h, the signature,
// Timestamp and Nonce checks, the reset task on the simulated clock, the
// module error codes, faults and statistics.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/timefmt.h"
#include "emulator/test_support.h"
#include "resources/tencent/signer.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;
namespace tc = cph::tencent;

namespace {
namespace beast = boost::beast;
namespace http = beast::http;

// One keep-alive connection to an EmbeddedEmulator.
struct TencentClient {
  explicit TencentClient(uint16_t port) : stream(io) {
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    host = "127.0.0.1:" + std::to_string(port);
  }

  json send(const std::string& method, const std::string& target, const std::string& body,
            const std::string& content_type) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    INFO(res.body());
    REQUIRE(res.result_int() == 200);
    return json::parse(res.body());
  }
  // The action's parameters with fresh common ones, signed for this host.
  json call(const std::string& action, tc::Params params, const std::string& method = "GET",
            std::optional<tc::SignatureMethod> sig = std::nullopt) {
    return send_signed(method, common(action, params, sig), kCaller.secret_key);
  }
  json send_signed(const std::string& method, const tc::Params& params, const std::string& secret_key) {
    return send_wire(method, tc::signed_query(method, host, std::string(kTencentPath), params, secret_key));
  }
  json send_wire(const std::string& method, const std::string& wire) {
    if (method == "GET") return send("GET", std::string(kTencentPath) + "?" + wire, "", "text/plain");
    return send("POST", std::string(kTencentPath), wire, "application/x-www-form-urlencoded");
  }
  tc::Params common(const std::string& action, tc::Params params, std::optional<tc::SignatureMethod> sig = {},
                    int64_t timestamp = cph::now_epoch_seconds()) {
    return tc::with_common({action, kCaller.access_key, "bj", ++nonce, timestamp, sig}, std::move(params));
  }
  json admin(const std::string& method, const std::string& path, const json& body = json::object()) {
    return send(method, path, body.dump(), "application/json");
  }
  json reset(const std::vector<std::string>& ids, const std::string& passwd) {
    tc::Params p{{"passwd", passwd}};
    tc::add_list(p, "instanceIds", ids);
    return call("ResetDevicePasswd", p);
  }
  json task(int64_t id) { return call("DescriptionOperationResult", {{"taskId", std::to_string(id)}}); }

  boost::asio::io_context io;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string host;
  uint64_t nonce = 1000;
};

// A started emulator with `devices` Tencent devices and a frozen clock.
struct TencentEmulator {
  explicit TencentEmulator(int devices = 3) : emu(options(devices)) { emu.start(); }
  static Options options(int devices) {
    Options o;
    o.credentials = {kCaller};
    o.time_scale = 0;
    o.tencent_devices = devices;
    return o;
  }
  EmbeddedEmulator emu;
};

void check_code(const json& answer, int code, const std::string& message_start) {
  INFO(answer.dump());
  CHECK(answer["code"] == code);
  CHECK(answer["message"].get<std::string>().rfind(message_start, 0) == 0);
}
}  // namespace

TEST_CASE("tencent bm: a signed reset is accepted and its task succeeds after simulated time", "[tencent]") {
  TencentEmulator t;
  TencentClient c(t.emu.port());
  const json answer = c.reset({"cpm-00000001", "cpm-00000002"}, "abce1234");
  INFO(answer.dump());
  REQUIRE(answer["code"] == 0);
  CHECK(answer["message"] == "OK");
  REQUIRE(answer["data"]["taskId"].is_number_integer());
  const int64_t task = answer["data"]["taskId"];

  json status = c.task(task);
  CHECK(status["code"] == 0);
  CHECK(status["data"]["status"] == 2);  // running
  CHECK(status["data"]["instanceIds"] == json::array({"cpm-00000001", "cpm-00000002"}));
  // A device whose reset is running cannot reset again.
  check_code(c.reset({"cpm-00000002"}, "abce1234"), 12002, "OperationDenied.IncorrectInstanceStatus");

  c.admin("POST", "/_emulator/clock/advance", {{"seconds", 29}});
  CHECK(c.task(task)["data"]["status"] == 2);
  c.admin("POST", "/_emulator/clock/advance", {{"seconds", 1}});
  CHECK(c.task(task)["data"]["status"] == 0);  // success

  const json devices = c.admin("GET", "/_emulator/tencent/devices")["devices"];
  REQUIRE(devices.size() == 3);
  CHECK(devices[0]["passwordResets"] == 1);
  CHECK(devices[1]["passwordResets"] == 1);
  CHECK(devices[2]["passwordResets"] == 0);
  CHECK(c.reset({"cpm-00000002"}, "abce1234")["code"] == 0);  // free again

  // POST with a form body and HmacSHA256 are accepted too.
  tc::Params p{{"passwd", "Pa$$w0rd!#"}, {"instanceIds.1", "cpm-00000003"}};
  CHECK(c.call("ResetDevicePasswd", p, "POST", tc::SignatureMethod::hmac_sha256)["code"] == 0);

  const json stats = c.admin("GET", "/_emulator/stats")["operations"];
  CHECK(stats["GET /v2/index.php?Action=ResetDevicePasswd"]["count"] == 3);
  CHECK(stats["GET /v2/index.php?Action=DescriptionOperationResult"]["count"] == 3);
  CHECK(stats["POST /v2/index.php?Action=ResetDevicePasswd"]["count"] == 1);
}

TEST_CASE("tencent bm: bad signatures, old or future timestamps and reused nonces are refused", "[tencent]") {
  TencentEmulator t;
  TencentClient c(t.emu.port());
  const tc::Params reset{{"passwd", "abce1234"}, {"instanceIds.1", "cpm-00000001"}};

  check_code(c.send_signed("GET", c.common("ResetDevicePasswd", reset), "wrong-secret"), 4100, "Authentication failed");
  tc::Params stranger = c.common("ResetDevicePasswd", reset);
  stranger["SecretId"] = "AKIDunknown";
  check_code(c.send_signed("GET", stranger, kCaller.secret_key), 4100, "Authentication failed");
  // A parameter changed after signing.
  std::string wire = tc::signed_query("GET", c.host, "/v2/index.php", c.common("ResetDevicePasswd", reset),
                                      kCaller.secret_key);
  wire.replace(wire.find("cpm-00000001"), 12, "cpm-00000002");
  check_code(c.send_wire("GET", wire), 4100, "Authentication failed");
  // Signed for another host than the one in the Host header.
  check_code(c.send_wire("GET", tc::signed_query("GET", "bm.api.qcloud.com", "/v2/index.php",
                                                 c.common("ResetDevicePasswd", reset), kCaller.secret_key)),
             4100, "Authentication failed");

  const int64_t now = cph::now_epoch_seconds();
  check_code(c.send_signed("GET", c.common("ResetDevicePasswd", reset, {}, now - 301), kCaller.secret_key), 4200,
             "Request expired");
  check_code(c.send_signed("GET", c.common("ResetDevicePasswd", reset, {}, now + 301), kCaller.secret_key), 4200,
             "Request expired");

  tc::Params missing = c.common("ResetDevicePasswd", reset);
  missing.erase("Region");
  check_code(c.send_signed("GET", missing, kCaller.secret_key), 4000, "Invalid request parameters");

  // The same signed request twice: the replay is refused. A refused request
  // (bad signature) does not use up its nonce.
  const tc::Params once = c.common("ResetDevicePasswd", reset);
  check_code(c.send_signed("GET", once, "wrong-secret"), 4100, "Authentication failed");
  const std::string signed_once = tc::signed_query("GET", c.host, "/v2/index.php", once, kCaller.secret_key);
  CHECK(c.send_wire("GET", signed_once)["code"] == 0);
  check_code(c.send_wire("GET", signed_once), 4500, "Playback attack");
  // Same nonce, new timestamp and signature: still a replay within the window.
  tc::Params again = c.common("DescriptionOperationResult", {{"taskId", "1"}}, {}, now + 1);
  again["Nonce"] = once.at("Nonce");
  check_code(c.send_signed("GET", again, kCaller.secret_key), 4500, "Playback attack");
}

TEST_CASE("tencent bm: 13.3's module errors", "[tencent]") {
  TencentEmulator t(4);
  TencentClient c(t.emu.port());
  c.admin("POST", "/_emulator/tencent/devices", {{"instanceId", "cpm-00000001"}, {"status", "shutdown"}});
  check_code(c.reset({"cpm-00000001"}, "abce1234"), 12002, "OperationDenied.IncorrectInstanceStatus");
  check_code(c.reset({"cpm-00000002", "cpm-00000001"}, "abce1234"), 12002, "OperationDenied.IncorrectInstanceStatus");
  c.admin("POST", "/_emulator/tencent/devices", {{"instanceId", "cpm-00000002"}, {"agentAlive", false}});
  check_code(c.reset({"cpm-00000002"}, "abce1234"), 12006, "OperationDenied.TsysAgentNotAlive");

  check_code(c.reset({"cpm-99999999"}, "abce1234"), 10001, "InvalidParameter");
  check_code(c.reset({"cpm-00000003"}, ""), 10001, "InvalidParameter");
  check_code(c.reset({"cpm-00000003"}, "short1"), 10001, "InvalidParameter");      // Linux: 8 to 16
  check_code(c.reset({"cpm-00000003"}, "abcdefghij"), 10001, "InvalidParameter");  // one class only
  check_code(c.reset({"cpm-00000003", "cpm-00000003"}, "abce1234"), 10001, "InvalidParameter");
  check_code(c.call("ResetDevicePasswd", {{"passwd", "abce1234"}, {"instanceIds.2", "cpm-00000003"}}), 10001,
             "InvalidParameter");  // n starts at 1
  c.admin("POST", "/_emulator/tencent/devices", {{"instanceId", "cpm-00000004"}, {"os", "windows"}});
  check_code(c.reset({"cpm-00000004"}, "abce1234"), 10001, "InvalidParameter");  // Windows: 12 to 16, 3 classes
  check_code(c.reset({"cpm-00000004"}, "Administrator1!"), 10001, "InvalidParameter");
  CHECK(c.reset({"cpm-00000004"}, "Abcd1234!xyz")["code"] == 0);

  check_code(c.task(999), 10001, "InvalidParameter");
  check_code(c.call("DescriptionOperationResult", {}), 10001, "InvalidParameter");
  check_code(c.call("DescribeOperationResult", {{"taskId", "1"}}), 4000, "Invalid request parameters");
}

TEST_CASE("tencent bm: a task fails when a device's agent is gone when it finishes", "[tencent]") {
  TencentEmulator t;
  TencentClient c(t.emu.port());
  const json answer = c.reset({"cpm-00000001"}, "abce1234");
  REQUIRE(answer["code"] == 0);
  c.admin("POST", "/_emulator/tencent/devices", {{"instanceId", "cpm-00000001"}, {"agentAlive", false}});
  c.admin("POST", "/_emulator/clock/advance", {{"seconds", 30}});
  CHECK(c.task(answer["data"]["taskId"])["data"]["status"] == 1);
  CHECK(c.admin("GET", "/_emulator/tencent/devices")["devices"][0]["passwordResets"] == 0);
}

TEST_CASE("tencent bm: injected faults answer 13.3's internal errors", "[tencent]") {
  TencentEmulator t;
  TencentClient c(t.emu.port());
  c.admin("POST", "/_emulator/faults",
          {{"error_rate", 1.0}, {"operations", {"GET /v2/index.php?Action=ResetDevicePasswd"}}});
  bool db = false, backend = false;
  for (int i = 0; i < 20; ++i) {
    const json a = c.reset({"cpm-00000001"}, "abce1234");
    INFO(a.dump());
    REQUIRE((a["code"] == 9001 || a["code"] == 9008));
    db |= a["code"] == 9001 && a["message"] == "InternalError.DbError";
    backend |= a["code"] == 9008 && a["message"] == "InternalError.TscRequestFail";
  }
  CHECK(db);
  CHECK(backend);
  check_code(c.task(1), 10001, "InvalidParameter");  // no task was made; other actions are not faulted
  c.admin("POST", "/_emulator/faults", {{"throttle_rate", 1.0}});
  check_code(c.task(1), 4400, "Quota exceeded");
  c.admin("POST", "/_emulator/faults", json::object());
  CHECK(c.reset({"cpm-00000001"}, "abce1234")["code"] == 0);
}

TEST_CASE("tencent bm: password rules of 13.3", "[tencent]") {
  CHECK(tencent_password_ok("abce1234", false));
  CHECK(tencent_password_ok("abcdefg!", false));
  CHECK(tencent_password_ok("1234567`", false));  // A-32: the backtick counts
  CHECK_FALSE(tencent_password_ok("abcdefgh", false));
  CHECK_FALSE(tencent_password_ok("abc1234", false));
  CHECK_FALSE(tencent_password_ok("abcdefgh12345678x", false));
  CHECK(tencent_password_ok("Abcdefgh1234", true));
  CHECK(tencent_password_ok("abcdefgh12'!", true));  // A-32: the apostrophe counts
  CHECK_FALSE(tencent_password_ok("abcdefgh1234", true));
  CHECK_FALSE(tencent_password_ok("Abc1!", true));
  CHECK_FALSE(tencent_password_ok("xADMINISTRATOR1", true));
}

TEST_CASE("tencent bm: --tencent-devices is checked", "[tencent]") {
  CHECK(serve_main({"--tencent-devices", "many"}) == 2);
  CHECK(serve_main({"--tencent-devices=-1"}) == 2);
}
