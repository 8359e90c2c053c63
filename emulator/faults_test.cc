// Fault injection (faults.h): reproducible for a seed, limited to listed
// operations, never on admin calls; reset and latency over a real socket.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
HttpResponse admin(Emulator& emu, const std::string& method, const std::string& path, const std::string& body = "") {
  return emu.service->handle(HttpRequest{method, path, {}, body});
}

HttpResponse set_faults(Emulator& emu, const json& faults) {
  return admin(emu, "POST", "/_emulator/faults", faults.dump());
}

// The outcome of n list calls: status per call, "R" for a dropped connection.
std::string outcomes(Emulator& emu, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    HttpResponse r = emu.get(project_path("/cloud-phone/servers"));
    out += r.drop_connection ? std::string("R") : std::to_string(r.status);
    out += ",";
  }
  return out;
}

const json kMixed = {{"error_rate", 0.3}, {"throttle_rate", 0.2}, {"reset_rate", 0.1}};
}  // namespace

TEST_CASE("the same seed and request sequence give the same faults", "[faults]") {
  Emulator emu;
  REQUIRE(set_faults(emu, kMixed).status == 200);
  const std::string first = outcomes(emu, 60);
  // Every kind occurs with these rates in 60 calls (fixed seed).
  for (const char* s : {"200,", "500,", "503,", "429,", "R,"}) CHECK(first.find(s) != std::string::npos);
  // Re-applying the configuration replays the sequence.
  REQUIRE(set_faults(emu, kMixed).status == 200);
  CHECK(outcomes(emu, 60) == first);
  // A new emulator with the same seed and faults at start: the same again.
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  o.faults = FaultConfig::parse(kMixed);
  Emulator other;
  other.service = std::make_unique<Service>(o);
  CHECK(outcomes(other, 60) == first);
  // Another seed differs.
  o.seed = 7;
  other.service = std::make_unique<Service>(o);
  CHECK(outcomes(other, 60) != first);
}

TEST_CASE("fault bodies: throttling and errors", "[faults]") {
  Emulator emu;
  REQUIRE(set_faults(emu, {{"throttle_rate", 1}}).status == 200);
  HttpResponse r = emu.get(project_path("/cloud-phone/servers"));
  CHECK(r.status == 429);
  CHECK(r.header("Retry-After") == "1");
  json b = body_of(r);
  CHECK(b["error_code"] == "APIGW.0308");
  CHECK(b["error_msg"].get<std::string>().rfind("The throttling threshold has been reached", 0) == 0);
  REQUIRE(set_faults(emu, {{"error_rate", 1}}).status == 200);
  for (int i = 0; i < 10; ++i) {
    HttpResponse e = emu.get(project_path("/cloud-phone/servers"));
    CHECK((e.status == 500 || e.status == 503));
    check_fields(body_of(e), {{"error_code", Kind::string}, {"error_msg", Kind::string}, {"request_id", Kind::string}});
  }
  // Admin calls are never faulted; {} clears.
  CHECK(admin(emu, "GET", "/_emulator/clock").status == 200);
  CHECK(admin(emu, "GET", "/_emulator/stats").status == 200);
  REQUIRE(set_faults(emu, json::object()).status == 200);
  CHECK(emu.get(project_path("/cloud-phone/servers")).status == 200);
  CHECK(body_of(admin(emu, "GET", "/_emulator/faults"))["error_rate"] == 0);
}

TEST_CASE("faults limited to operations; failures do not change the world", "[faults]") {
  Emulator emu;
  REQUIRE(set_faults(emu, {{"error_rate", 1}, {"operations", {"POST /v2/{project_id}/cloud-phone/servers"}}}).status == 200);
  HttpResponse p = emu.purchase(rx1_purchase());
  CHECK((p.status == 500 || p.status == 503));
  CHECK(emu.list()["count"] == 0);
  CHECK(emu.get(project_path("/cloud-phone/server-models")).status == 200);
  json stats = emu.stats()["operations"]["POST /v2/{project_id}/cloud-phone/servers"];
  CHECK(stats["count"] == 1);
}

TEST_CASE("bad fault configurations are refused", "[faults][validation]") {
  Emulator emu;
  for (const char* bad : {R"({"error_rate": 2})", R"({"error_rate": "x"})", R"({"latency_ms": -1})", R"({"nope": 1})",
                          R"({"operations": "GET /x"})", R"({"operations": ["nospace"]})", "[1]", "not json"}) {
    INFO(bad);
    HttpResponse r = admin(emu, "POST", "/_emulator/faults", bad);
    CHECK(r.status == 400);
    CHECK(body_of(r)["error_code"] == "EMULATOR.0400");
  }
}

TEST_CASE("job and order failure rates", "[faults][jobs]") {
  Emulator emu;
  REQUIRE(set_faults(emu, {{"order_failure_rate", 1}, {"job_failure_rate", 1}}).status == 200);
  json b = emu.buy(rx1_purchase(2, true));
  emu.advance(300);
  for (const json& id : b["server_ids"]) CHECK(emu.server(id)["status"] == 2);  // abnormal
  CHECK(emu.order(b["order_id"])["order_info"]["status"] == 5);
  REQUIRE(set_faults(emu, json::object()).status == 200);
  json good = emu.buy(rx1_purchase(1, true));
  emu.advance(300);
  const std::string id = good["server_ids"][0];
  CHECK(emu.server(id)["status"] == 5);
  REQUIRE(set_faults(emu, {{"order_failure_rate", 1}, {"job_failure_rate", 1}}).status == 200);
  json change = body_of(emu.call("POST", project_path("/cloud-phone/servers/change-server-model"),
                                 json{{"server_id", id}, {"server_model_name", "physical.rx1.xlarge.special"},
                                      {"phone_model_name", "rx1.cp.sp.c105.d8.e5v5"}, {"extend_param", {{"is_auto_pay", 1}}}}.dump()));
  REQUIRE(change.contains("order_id"));
  json restart = body_of(emu.call("POST", project_path("/cloud-phone/servers/batch-restart"), json{{"server_ids", {id}}}.dump()));
  emu.advance(120);
  CHECK(emu.order(change["order_id"])["order_info"]["status"] == 4);  // cancelled
  CHECK(emu.server(id)["server_model_name"] == "physical.rx1.xlarge");
  json job = body_of(emu.get(project_path("/cloud-phone/jobs/" + restart["jobs"][0]["job_id"].get<std::string>())));
  CHECK(job["status"] == -1);
}

TEST_CASE("reset closes the connection; latency delays the answer (socket)", "[faults][socket]") {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  EmbeddedEmulator emu(o);
  emu.start();
  auto exchange = [&](const HttpRequest& plain, beast::error_code& ec) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), emu.port()));
    http::request<http::string_body> req{http::string_to_verb(plain.method), plain.target, 11};
    for (const auto& [k, v] : plain.headers) req.set(k, v);
    req.body() = plain.body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res, ec);
    return res;
  };
  beast::error_code ec;
  HttpRequest faults{"POST", "/_emulator/faults", {{"Host", "127.0.0.1"}}, R"({"reset_rate": 1})"};
  REQUIRE(exchange(faults, ec).result_int() == 200);
  exchange(signed_request("GET", project_path("/cloud-phone/servers")), ec);
  CHECK(ec);  // end of stream / reset: no response
  faults.body = R"({"latency_ms": 150})";
  REQUIRE(exchange(faults, ec).result_int() == 200);
  auto start = std::chrono::steady_clock::now();
  auto res = exchange(signed_request("GET", project_path("/cloud-phone/servers")), ec);
  CHECK_FALSE(ec);
  CHECK(res.result_int() == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
}

TEST_CASE("faults after processing: the purchase is carried out, then dropped or garbled", "[faults][processed]") {
  const std::string purchase = "POST /v2/{project_id}/cloud-phone/servers";
  Emulator emu;
  SECTION("dropped: no answer, the order and its servers exist") {
    REQUIRE(set_faults(emu, {{"processed_reset_rate", 1}, {"operations", {purchase}}}).status == 200);
    HttpResponse p = emu.purchase(rx1_purchase(2, true));
    CHECK(p.drop_connection);
    REQUIRE(set_faults(emu, json::object()).status == 200);
    CHECK(emu.list()["count"] == 2);
    CHECK(emu.stats()["operations"][purchase]["by_status"]["0"] == 1);
  }
  SECTION("each kind of garbage, in a 200, after the servers were bought") {
    const std::map<std::string, std::function<void(const std::string&)>> kinds = {
        {"text", [](const std::string& b) { CHECK(json::parse(b, nullptr, false).is_discarded()); }},
        {"empty", [](const std::string& b) { CHECK(b.empty()); }},
        {"error_body", [](const std::string& b) { CHECK(json::parse(b)["error_code"] == "CPS.0003"); }},
        {"wrong_types",
         [](const std::string& b) {
           const json j = json::parse(b);
           CHECK(j["order_id"].is_object());
           CHECK(j["server_ids"].is_string());
           CHECK(j["request_id"].is_string());
         }},
        {"truncated", [](const std::string& b) { CHECK(json::parse(b, nullptr, false).is_discarded()); }},
        {"missing", [](const std::string& b) { CHECK(json::parse(b).size() == 1); }},  // request_id alone
    };
    size_t bought = 0;
    for (const auto& [kind, check] : kinds) {
      INFO(kind);
      REQUIRE(set_faults(emu, {{"garbage_rate", 1}, {"garbage", kind}, {"operations", {purchase}}}).status == 200);
      HttpResponse p = emu.purchase(rx1_purchase(1, true));
      CHECK(p.status == 200);
      CHECK_FALSE(p.drop_connection);
      check(p.body);
      REQUIRE(set_faults(emu, json::object()).status == 200);
      CHECK(emu.list()["count"] == ++bought);
    }
  }
  SECTION("missing_fields: a purchase answer without its order_id") {
    REQUIRE(set_faults(emu, {{"garbage_rate", 1}, {"garbage", "missing"}, {"missing_fields", {"order_id"}},
                             {"operations", {purchase}}})
                .status == 200);
    const json b = body_of(emu.purchase(rx1_purchase(2, true)));
    CHECK_FALSE(b.contains("order_id"));
    CHECK(b["server_ids"].size() == 2);
  }
  SECTION("a refused request is answered as it is: nothing was processed") {
    REQUIRE(set_faults(emu, {{"garbage_rate", 1}, {"processed_reset_rate", 1}}).status == 200);
    HttpResponse bad = emu.get(project_path("/cloud-phone/servers?limit=0"));
    CHECK(bad.status == 400);
    CHECK_FALSE(bad.drop_connection);
  }
  SECTION("mixed at random rates: reproducible for the seed; unknown kinds refused") {
    const json mixed = {{"garbage_rate", 0.5}, {"processed_reset_rate", 0.2}};
    auto run = [&emu](const json& faults) {
      REQUIRE(set_faults(emu, faults).status == 200);
      std::string out;
      for (int i = 0; i < 40; ++i) {
        HttpResponse r = emu.get(project_path("/cloud-phone/servers"));
        const json b = json::parse(r.body, nullptr, false);
        const bool listed = b.is_object() && b.contains("servers") && b["servers"].is_array();
        out += r.drop_connection ? "R" : listed ? "." : "G";
      }
      return out;
    };
    const std::string first = run(mixed);
    CHECK(first.find('R') != std::string::npos);
    CHECK(first.find('G') != std::string::npos);
    CHECK(first.find('.') != std::string::npos);
    CHECK(run(mixed) == first);
    for (const char* bad : {R"({"garbage": "nonsense"})", R"({"garbage_rate": 1.5})", R"({"missing_fields": "order_id"})"}) {
      INFO(bad);
      CHECK(admin(emu, "POST", "/_emulator/faults", bad).status == 400);
    }
  }
}
