// Shared by the tests of cloud/ and of the providers' clients: includes,
// running coroutines to completion, a scripted transport, header lookup.
#pragma once

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "cloud/http.h"
#include "common/strings.h"
#include "common/timefmt.h"

namespace cph::cloud::testing {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace cph::cloud;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// ---- running coroutines from a test ------------------------------------------

template <class T>
T run(asio::io_context& io, asio::awaitable<T> aw) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  REQUIRE(result.has_value());
  return std::move(*result);
}

inline void run(asio::io_context& io, asio::awaitable<void> aw) {
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  REQUIRE(done);
}

// Runs `aw` and returns the exception it ended with (REQUIREs that it threw one).
template <class E, class T>
E run_expecting(asio::io_context& io, asio::awaitable<T> aw) {
  try {
    run(io, std::move(aw));
  } catch (const E& e) {
    return e;
  }
  FAIL("expected an exception");
  throw std::logic_error("unreachable");
}

using cph::ascii_iequals;

// Test thread only (it asserts).
inline std::optional<std::string> header_of(const HeaderList& headers, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) {
      REQUIRE_FALSE(found.has_value());  // no header twice
      found = v;
    }
  }
  return found;
}

// ---- fake transport -------------------------------------------------------------

inline HttpResponse response(int status, std::string body, HeaderList headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// Records every request; answers with `respond` (which may throw TransportError).
class FakeTransport : public HttpTransport {
 public:
  std::function<HttpResponse(const HttpRequest&)> respond;
  std::vector<HttpRequest> requests;

  asio::awaitable<HttpResponse> send(HttpRequest request) override {
    requests.push_back(std::move(request));
    co_return respond(requests.back());
  }
};

}  // namespace cph::cloud::testing
