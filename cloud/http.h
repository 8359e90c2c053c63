// HTTP/1.1 transport for the cloud client: plain structs in, plain structs
// out, so that Boost.Beast stays inside http_client.cc. Every call is a C++20
// coroutine on the caller's executor; nothing blocks a thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace cph::cloud {

namespace asio = boost::asio;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string target;  // path plus optional "?query", already percent-encoded
  HeaderList headers;  // Host is added by the transport if absent
  std::string body;
  // Sending it twice does nothing twice (a mutation that sets a value; GET
  // and HEAD always are): only then may the transport resend it after any
  // byte of it was written (issue 18 D1).
  bool idempotent = false;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // Case-insensitive lookup; "" when absent.
  std::string header(std::string_view name) const;
};

// A URL split into its parts: scheme "http" or "https", host, port, base path.
struct Url {
  std::string scheme;
  std::string host;
  uint16_t port = 0;
  std::string base_path;  // "" or "/prefix" (no trailing slash)
  // Value for the Host header: host, or host:port when not the default port.
  std::string host_header() const;
  std::string to_string() const;
};
// Throws std::invalid_argument with a readable message on a malformed URL.
Url parse_url(std::string_view url);

// The connection failed, was reset, timed out or TLS verification failed;
// no HTTP response was read. `maybe_sent` is true once any byte of the
// request was written to the socket: from then on the server may have
// processed it, and only a request that provably never left (false) may be
// sent again without knowing (mutations: see the journal).
// `over_limit`: a deadline or size limit of HttpOptions ended the exchange (the
// message names which); the client does not retry those, so that a silent
// server ends a run within the deadline rather than a multiple of it.
struct TransportError : std::runtime_error {
  TransportError(const std::string& what, bool maybe_sent, bool over_limit = false)
      : std::runtime_error(what), maybe_sent(maybe_sent), over_limit(over_limit) {}
  bool maybe_sent;
  bool over_limit;
};

// Deadlines and limits of one exchange (issue 18 D5, D11). The defaults are
// documented in docs/architecture.md; [provider] timeouts sets the four
// deadlines (engine/workspace.cc).
struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};  // name resolution plus TCP connect
  std::chrono::milliseconds tls_timeout{10000};      // the TLS handshake (https only)
  std::chrono::milliseconds read_timeout{30000};     // idle: no byte of the answer for this long
  std::chrono::milliseconds request_timeout{60000};  // one exchange, first byte written to last byte read
  size_t body_limit = 16u << 20;                     // answer body; CPH answers are JSON of a few 100 KB
  uint32_t header_limit = 64u << 10;                 // answer status line plus headers
  bool verify_peer = true;          // HTTPS peer verification (system CA store)
  std::string ca_file;              // extra CA bundle, optional
  size_t max_idle_connections = 16; // keep-alive pool size per endpoint
};

// Narrow interface so tests and the executor can substitute or wrap it.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual asio::awaitable<HttpResponse> send(HttpRequest request) = 0;
};

// Keep-alive connection pool to one endpoint (scheme, host, port), HTTP or
// HTTPS with SNI and peer verification. A request on a reused connection that
// the peer had already closed, with no byte of an answer, is resent once on a
// fresh connection when it is idempotent or when none of its bytes was
// written; other failures throw TransportError.
std::unique_ptr<HttpTransport> make_http_transport(asio::any_io_executor executor, const Url& endpoint,
                                                   const HttpOptions& options = {});

}  // namespace cph::cloud
