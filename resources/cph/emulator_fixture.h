// Test support (cloud/ and resources/ tests): a CphClient talking real HTTP
// to an in-process emulator (emulator/emulator.h), plus the emulator's admin
// API (simulated clock, per-operation statistics, faults) called
// synchronously from the test thread or from inside a journal callback.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "resources/cph/cph_client.h"
#include "cloud/http.h"
#include "emulator/emulator.h"

namespace cph::cloud::testing {

inline const Credentials kEmuCreds{"HPUAEXAMPLEAK1234567", "ExampleSecretKey0123456789abcdefghijklmnop",
                                   "0a1b2c3d4e5f67890a1b2c3d4e5f6789", "cn-east-3"};

// The reference's purchase example (3.4) as a typed request.
inline PurchaseServersRequest example_purchase(int count) {
  PurchaseServersRequest p;
  p.server_name = "fleet";
  p.server_model_name = "physical.rx1.xlarge";
  p.phone_model_name = "rx1.cp.c105.d6.e5v5";
  p.image_id = "20060220200717f201120a2300000e91";
  p.count = count;
  p.keypair_name = "keypair";
  p.tenant_vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2";
  p.subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";
  p.eip_type = "5_bgp";
  p.band_width_size = 300;
  p.band_width_charge_mode = 1;
  p.band_width_share_type = 0;
  p.availability_zone = "cn-east-3a";
  return p;
}

class EmulatorFixture {
 public:
  // time_scale 0 freezes the simulated clock: it moves only by advance().
  explicit EmulatorFixture(double time_scale = 0, emulator::Options options = {}) : emu_(make_options(time_scale, options)) {
    emu_.start();
    url_ = parse_url(emu_.url());
    Endpoints e{url_, url_};
    client_.emplace(io.get_executor(), e, kEmuCreds);
  }

  boost::asio::io_context io;
  CphClient& client() { return *client_; }

  // Runs a coroutine on `io` to completion (rethrows its exception).
  template <class T>
  T run(boost::asio::awaitable<T> aw) {
    std::optional<T> result;
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
      error = e;
      if (!e) result = std::move(v);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    REQUIRE(result.has_value());
    return std::move(*result);
  }
  void run(boost::asio::awaitable<void> aw) {
    std::exception_ptr error;
    bool done = false;
    boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    REQUIRE(done);
  }

  // Admin API (docs/emulator.md "Admin API"), unsigned, on its own
  // io_context so that it can be called from inside a running coroutine.
  nlohmann::json admin(const std::string& method, const std::string& path, const std::string& body = "") {
    boost::asio::io_context local;
    auto transport = make_http_transport(local.get_executor(), url_);
    HttpRequest r;
    r.method = method;
    r.target = path;
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    std::optional<HttpResponse> response;
    std::exception_ptr error;
    boost::asio::co_spawn(local, transport->send(std::move(r)), [&](std::exception_ptr e, HttpResponse v) {
      error = e;
      if (!e) response = std::move(v);
    });
    local.run();
    if (error) std::rethrow_exception(error);
    REQUIRE(response);
    INFO(method << " " << path << " -> " << response->status << " " << response->body);
    REQUIRE(response->status / 100 == 2);
    return response->body.empty() ? nlohmann::json::object() : nlohmann::json::parse(response->body);
  }
  void advance(double seconds) {
    admin("POST", "/_emulator/clock/advance", nlohmann::json{{"seconds", seconds}}.dump());
  }
  // Requests the emulator has answered for "METHOD /template" (its stats key).
  int64_t served(const std::string& op) {
    const nlohmann::json s = admin("GET", "/_emulator/stats");
    const auto& ops = s.at("operations");
    return ops.contains(op) ? ops.at(op).at("count").get<int64_t>() : 0;
  }
  void set_faults(const nlohmann::json& faults) { admin("POST", "/_emulator/faults", faults.dump()); }

  // Buys `count` servers (1..10 per order) and moves the clock until they are
  // normal (status 5). Returns their ids.
  std::vector<std::string> buy_servers(int count) {
    std::vector<std::string> ids;
    while (count > 0) {
      const int n = std::min(count, 10);
      PurchaseResult r = run(client().purchase_servers(example_purchase(n)));
      ids.insert(ids.end(), r.server_ids.begin(), r.server_ids.end());
      count -= n;
    }
    advance(400);  // > Durations::server_creation_s
    return ids;
  }

 private:
  static emulator::Options make_options(double time_scale, emulator::Options o) {
    o.credentials = {{kEmuCreds.access_key, kEmuCreds.secret_key, kEmuCreds.project_id}};
    o.time_scale = time_scale;
    return o;
  }

  emulator::EmbeddedEmulator emu_;
  Url url_;
  std::optional<CphClient> client_;
};

// Runs `aw`, which must fail with a CloudError, and returns that error.
template <class T>
CloudError run_expecting_cloud_error(EmulatorFixture& f, boost::asio::awaitable<T> aw) {
  try {
    f.run(std::move(aw));
  } catch (const CloudError& e) {
    return e;
  }
  FAIL("expected a CloudError");
  throw std::logic_error("unreachable");
}

}  // namespace cph::cloud::testing
