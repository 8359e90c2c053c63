// emulator_bench: the emulator over real HTTP with signed requests.
//   1. 10,000 servers in inventory (1,000 signed purchases of 10);
//   2. p50/p99 latency of a 100-item list page (GET .../servers?limit=100);
//   3. requests per second of GET .../jobs?request_ids=<20 ids>.
// Prints its figures; not a test (no pass/fail).
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "resources/huawei/signer.h"
#include "emulator/emulator.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
const cph::emulator::Credential kCred{"BENCHAKEMULATOR00001", "bench-secret-key-emulator-000000000000001",
                                      "0b1c2d3e4f5a67890b1c2d3e4f5a6789"};

struct Client {
  explicit Client(uint16_t port) : stream(io) {
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    host = "127.0.0.1:" + std::to_string(port);
  }
  http::response<http::string_body> send(const std::string& method, const std::string& target,
                                         const std::string& body = "", bool sign = true) {
    std::string path = target.substr(0, target.find('?'));
    std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
    cph::sign::SignableRequest s{method, path, query, {{"Host", host}, {"Content-Type", "application/json"}}, body};
    if (sign) cph::sign::sign_request(s, kCred.access_key, kCred.secret_key, cph::sign::sdk_date_now());
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    for (const auto& [k, v] : s.headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }
  json call(const std::string& method, const std::string& target, const std::string& body = "", bool sign = true) {
    auto res = send(method, target, body, sign);
    if (res.result_int() >= 300) throw std::runtime_error(method + " " + target + ": " + res.body());
    return res.body().empty() ? json() : json::parse(res.body());
  }
  asio::io_context io;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string host;
};

json purchase_body(int i) {
  return {{"server_name", "bench-" + std::to_string(i)},
          {"server_model_name", "physical.kg1.4xlarge.cp"},
          {"phone_model_name", "kg1.cp.c20.d64SSD.e1v1"},
          {"image_id", "20060220200717f201120a2300000e91"},
          {"count", 10},
          {"extend_param", {{"charging_mode", 0}, {"period_type", 2}, {"period_num", 1}, {"is_auto_pay", 1}}},
          {"tenant_vpc_id", "fca063f6-b942-42a8-9004-e5545f58d6a2"},
          {"nics", {{{"subnet_id", "f1cbfc37-eb42-4357-a0ec-9e4f11950908"}}}},
          {"public_ip", {{"eip", {{"type", "5_bgp"}}}}},
          {"band_width", {{"band_width_share_type", 0}, {"band_width_size", 10}, {"band_width_charge_mode", 1}}}};
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}  // namespace

int main() {
  cph::emulator::Options o;
  o.credentials = {kCred};
  o.time_scale = 0;
  cph::emulator::EmbeddedEmulator emu(o);
  emu.start();
  Client c(emu.port());
  const std::string base = "/v1/" + kCred.project_id + "/cloud-phone";

  auto t0 = Clock::now();
  for (int i = 0; i < 1000; ++i) c.call("POST", "/v2/" + kCred.project_id + "/cloud-phone/servers", purchase_body(i).dump());
  std::printf("inventory: 10000 servers bought in %.0f ms (1000 signed purchases)\n", ms_since(t0));
  c.call("POST", "/_emulator/clock/advance", R"({"seconds": 400})", false);

  std::vector<double> lat;
  for (int i = 0; i < 500; ++i) {
    auto t = Clock::now();
    json page = c.call("GET", base + "/servers?limit=100&offset=" + std::to_string((i * 100) % 10000));
    lat.push_back(ms_since(t));
    if (page["servers"].size() != 100 || page["count"] != 10000) throw std::runtime_error("bad list page");
  }
  std::sort(lat.begin(), lat.end());
  std::printf("list page (100 of 10000 servers): p50 %.3f ms, p99 %.3f ms over %zu requests\n", lat[lat.size() / 2],
              lat[lat.size() * 99 / 100], lat.size());

  json first = c.call("GET", base + "/servers?limit=100");
  std::string ids;
  for (int r = 0; r < 20; ++r) {
    json body = {{"server_ids", json::array()}};
    for (int k = 0; k < 5; ++k) body["server_ids"].push_back(first["servers"][r * 5 + k]["server_id"]);
    json resp = c.call("POST", base + "/servers/batch-restart", body.dump());
    ids += (r ? "," : "") + resp["request_id"].get<std::string>();
  }
  int n = 0;
  auto t1 = Clock::now();
  while (ms_since(t1) < 3000) {
    json jobs = c.call("GET", base + "/jobs?request_ids=" + ids);
    if (jobs["jobs"].size() != 100) throw std::runtime_error("bad jobs answer");
    ++n;
  }
  std::printf("jobs?request_ids= (20 ids, 100 jobs): %.0f requests/s (%d in %.0f ms, one keep-alive connection)\n",
              n * 1000.0 / ms_since(t1), n, ms_since(t1));
  return 0;
}
