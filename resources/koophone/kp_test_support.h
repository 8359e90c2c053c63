// Test support for the KooPhone client's tests: an in-process emulator with
// KooPhone instances kp000001 ..., clients of it (AK/SK or an IAM password),
// coroutines run to completion, and the emulator's admin API.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "cloud/test_support.h"
#include "emulator/emulator.h"
#include "resources/koophone/kp_client.h"

namespace cph::koophone::testing {
using nlohmann::json;

inline const cloud::Credentials kKpCreds{"KPEXAMPLEAK123456789", "KpExampleSecretKey0123456789abcdefghijk", "0a1b2c3d4e5f67890a1b2c3d4e5f6789",
                                  "cn-east-3"};

inline std::string kp_id(int n) {
  char id[16];
  std::snprintf(id, sizeof id, "kp%06d", n);
  return id;
}
inline std::vector<std::string> kp_range(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back(kp_id(i));
  return out;
}

struct KpFixture {
  explicit KpFixture(int instances = 100, double token_lifetime_s = 24 * 3600, double time_scale = 0)
      : emu(options(instances, token_lifetime_s, time_scale)) {
    emu.start();
    url = cloud::parse_url(emu.url());
  }
  static emulator::Options options(int instances, double token_lifetime_s, double time_scale) {
    emulator::Options o;
    o.credentials = {emulator::Credential{kKpCreds.access_key, kKpCreds.secret_key, kKpCreds.project_id}};
    o.time_scale = time_scale;  // 0: the clock moves only when a test advances it
    o.durations.koophone_command_s = 0.3;
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
    return cloud::testing::run(io, std::move(aw));
  }
  void run(asio::awaitable<void> aw) { cloud::testing::run(io, std::move(aw)); }
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

}  // namespace cph::koophone::testing
