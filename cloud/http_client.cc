// HTTP/1.1 client transport on Boost.Beast: the only translation unit of
// cloud/ that includes Beast (it is expensive to compile; ARCHITECTURE.md
// "Build hygiene"). Also holds the small URL helpers of http.h.
//
// One transport talks to one endpoint (scheme, host, port) and keeps a
// bounded pool of idle keep-alive connections. Failure handling is shaped by
// the executor's write-ahead journal (ARCHITECTURE.md decision 3): a
// TransportError says truthfully whether the request may have reached the
// server (any byte written), and the only automatic resend is the one HTTP
// itself allows, on a pooled connection the peer closed before answering:
// for a mutation that is not idempotent, only when nothing of it was written
// (a closed peer may still have read and processed what was written).
#include "cloud/http.h"
#include "cloud/proxy.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/strings.h"

namespace cph::cloud {

// ---- URL helpers ------------------------------------------------------------

namespace {

uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

// IPv6 literals are kept without brackets in Url::host and bracketed on output.
std::string bracketed(const std::string& host) { return host.find(':') == std::string::npos ? host : "[" + host + "]"; }

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (ascii_iequals(n, name)) return v;
  return {};
}

std::string Url::host_header() const {
  std::string out = bracketed(host);
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::to_string() const { return scheme + "://" + host_header() + base_path; }

Url parse_url(std::string_view text) {
  const std::string original(text);
  auto fail = [&original](const std::string& why) -> std::invalid_argument {
    return std::invalid_argument("invalid URL \"" + original + "\": " + why);
  };
  Url url;
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) throw fail("expected scheme://host[:port][/path]");
  const std::string_view scheme = text.substr(0, sep);
  if (ascii_iequals(scheme, "http"))
    url.scheme = "http";
  else if (ascii_iequals(scheme, "https"))
    url.scheme = "https";
  else
    throw fail("the scheme must be http or https");
  text.remove_prefix(sep + 3);

  const size_t path_start = text.find('/');
  std::string_view authority = text.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view() : text.substr(path_start);
  if (authority.find('@') != std::string_view::npos) throw fail("credentials do not belong in the URL");
  if (authority.find_first_of("?#") != std::string_view::npos || path.find_first_of("?#") != std::string_view::npos)
    throw fail("an endpoint URL has no query or fragment");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) throw fail("unterminated IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw fail("unexpected characters after the IPv6 literal");
      port_text = rest.substr(1);
      if (port_text.empty()) throw fail("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) throw fail("empty port");
    }
  }
  if (url.host.empty()) throw fail("missing host");
  for (char c : url.host)
    if (c == ' ' || c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x21) throw fail("bad character in host");

  if (!port_text.empty()) {
    unsigned long port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') throw fail("the port must be a number");
      port = port * 10 + static_cast<unsigned long>(c - '0');
      if (port > 65535) throw fail("the port must be 1-65535");
    }
    if (port == 0) throw fail("the port must be 1-65535");
    url.port = static_cast<uint16_t>(port);
  } else {
    url.port = default_port(url.scheme);
  }

  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

// ---- Transport --------------------------------------------------------------

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

// "10 s", "1.5 s", "300 ms": a deadline as the error message shows it.
std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  if (d.count() > 1000) return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + " s";
  return std::to_string(d.count()) + " ms";
}

bool is_timeout(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::operation_aborted;
}

struct Connection {
  // Exactly one of the two is set, by the endpoint's scheme.
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void close() {
    // No TLS close_notify: the peer learns from the FIN, and waiting for its
    // answer would cost a round trip on every pool eviction.
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }
};

// Errors meaning "the peer had closed this connection": on a pooled
// connection, before any byte of a response, the request was not processed.
bool is_closed_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted || ec == asio::error::not_connected ||
         ec == ssl::error::stream_truncated;
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

struct Attempt {
  beast::error_code ec;
  const char* stage = "";
  std::string why;                  // which deadline or limit ended it, when one did
  bool wrote_all = false;           // the whole request reached the socket
  size_t bytes_written = 0;         // how much of it did
  bool got_response_bytes = false;  // any byte of a response arrived
  bool keep_alive = false;          // the response allows reusing the connection
  HttpResponse response;
};

class Pool {
 public:
  Pool(asio::any_io_executor executor, Url endpoint, HttpOptions options)
      : executor_(std::move(executor)), endpoint_(std::move(endpoint)), options_(std::move(options)) {
    if (endpoint_.scheme == "https") {
      ssl_ctx_.emplace(ssl::context::tls_client);
      ssl_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      if (options_.verify_peer) {
        ssl_ctx_->set_verify_mode(ssl::verify_peer);
        ssl_ctx_->set_default_verify_paths();
        if (!options_.ca_file.empty()) {
          beast::error_code ec;
          ssl_ctx_->load_verify_file(options_.ca_file, ec);
          if (ec) throw std::invalid_argument("cannot load CA file " + options_.ca_file + ": " + ec.message());
        }
      } else {
        ssl_ctx_->set_verify_mode(ssl::verify_none);
      }
    }
    proxy_ = proxy_for(endpoint_, proxy_settings());  // throws std::invalid_argument, as a bad ca_file does
  }

  ~Pool() { close_idle(); }

  void close_idle() {
    std::lock_guard lock(mutex_);
    for (auto& c : idle_) c->close();
    idle_.clear();
  }

  // Static with the pool as a by-value parameter: coroutine parameters are
  // copied into the frame when it is created, so the pool outlives a request
  // in flight even if the transport object is destroyed meanwhile.
  static asio::awaitable<HttpResponse> send(std::shared_ptr<Pool> self, HttpRequest in) {
    co_return co_await self->send_on_pool(std::move(in));
  }

 private:
  asio::awaitable<HttpResponse> send_on_pool(HttpRequest in) {
    const bool idempotent = in.idempotent || in.method == "GET" || in.method == "HEAD";
    http::request<http::string_body> req = to_beast(in);

    std::unique_ptr<Connection> conn = take_idle();
    bool reused = conn != nullptr;
    for (int attempt = 0;; ++attempt) {
      if (!conn) {
        conn = co_await connect(in);  // throws TransportError(maybe_sent = false)
        reused = false;
      }
      // (Not a conditional expression: GCC 12 mishandles co_await in both arms.)
      Attempt a;
      if (conn->tls)
        a = co_await exchange(*conn->tls, *conn, req);
      else
        a = co_await exchange(*conn->plain, *conn, req);
      if (!a.ec) {
        // Bytes after the response would desynchronise the next exchange.
        if (a.keep_alive && conn->buffer.size() == 0)
          give_back(std::move(conn));
        else
          conn->close();
        co_return std::move(a.response);
      }
      conn->close();
      conn.reset();
      // A pooled connection the server had already closed (idle timeout
      // racing our write), nothing of a response back: HTTP allows resending
      // once, on a new connection (RFC 9110 9.2.2) - an idempotent request
      // always, any other only when none of its bytes left: a peer that
      // closed after reading it may have processed it (issue 18 D1).
      if (reused && attempt == 0 && !a.got_response_bytes && is_closed_connection(a.ec) &&
          (idempotent || a.bytes_written == 0))
        continue;
      const char* sent = a.wrote_all            ? " (request sent)"
                         : a.bytes_written > 0 ? " (request partly sent)"
                                               : " (request not sent)";
      throw TransportError(describe(in, a.stage, a.ec, a.why) + sent, a.bytes_written > 0, !a.why.empty());
    }
  }

  http::request<http::string_body> to_beast(HttpRequest& in) const {
    http::request<http::string_body> req;
    const http::verb verb = http::string_to_verb(in.method);
    if (verb == http::verb::unknown)
      req.method_string(in.method);
    else
      req.method(verb);
    // Plain HTTP through a proxy: the absolute form, and the proxy's credentials
    // (a tunnel carries HTTPS; its request goes unchanged).
    const bool via_proxy = proxy_ && !ssl_ctx_;
    req.target(via_proxy ? "http://" + endpoint_.host_header() + in.target : in.target);
    req.version(11);
    if (via_proxy && !proxy_->authorization.empty()) req.set(http::field::proxy_authorization, proxy_->authorization);
    for (const auto& [name, value] : in.headers) req.insert(name, value);
    if (req.find(http::field::host) == req.end()) req.set(http::field::host, endpoint_.host_header());
    req.body() = std::move(in.body);
    req.prepare_payload();  // Content-Length (also for a DELETE with a body, reference 11.1)
    return req;
  }

  // `why` names the deadline or limit that ended the exchange, if one did.
  std::string describe(const HttpRequest& in, std::string_view stage, const beast::error_code& ec,
                       const std::string& why = {}) const {
    // The target already carries the endpoint's base path.
    std::string what = in.method + " " + endpoint_.scheme + "://" + endpoint_.host_header() + in.target + ": " +
                       std::string(stage) + " failed: ";
    if (!why.empty())
      what += why;
    else if (is_timeout(ec))
      what += "timed out";
    else
      what += ec.message();
    return what;
  }

  // " (proxy host:port)" when a proxy carries the requests; never its password.
  std::string via_proxy_text() const { return proxy_ ? " (proxy " + proxy_->where() + ")" : ""; }

  // HTTP CONNECT host:port through the proxy: afterwards the stream is a raw
  // tunnel to the endpoint, and TLS runs end to end through it.
  asio::awaitable<void> open_tunnel(beast::tcp_stream& stream, const HttpRequest& in) const {
    const std::string authority =
        (endpoint_.host.find(':') != std::string::npos ? "[" + endpoint_.host + "]" : endpoint_.host) + ":" +
        std::to_string(endpoint_.port);
    http::request<http::empty_body> tunnel_request{http::verb::connect, authority, 11};
    tunnel_request.set(http::field::host, authority);
    if (!proxy_->authorization.empty()) tunnel_request.set(http::field::proxy_authorization, proxy_->authorization);
    const std::string stage = "CONNECT through the proxy " + proxy_->where();
    auto [wec, written] = co_await http::async_write(stream, tunnel_request, kTuple);
    if (wec) throw TransportError(describe(in, stage, wec), false, is_timeout(wec));
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts after its header
    auto [rec, read] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (rec) throw TransportError(describe(in, stage, rec), false, is_timeout(rec));
    const unsigned status = parser.get().result_int();
    if (status / 100 != 2)
      throw TransportError(describe(in, stage, {},
                                    "the proxy answered HTTP " + std::to_string(status) +
                                        (status == 407 ? " (proxy authentication required: check the user and "
                                                         "password in HTTPS_PROXY)"
                                                       : "")),
                           false);
  }

  // Why certificate verification refused the server, with what to do about
  // it; "" when the handshake failed for another reason.
  std::string refusal_text(beast::ssl_stream<beast::tcp_stream>& tls) const {
    const long result = SSL_get_verify_result(tls.native_handle());
    if (!options_.verify_peer || result == X509_V_OK) return "";
    std::string why = "the server's certificate was refused: " +
                      std::string(X509_verify_cert_error_string(result));
    switch (result) {
      case X509_V_ERR_HOSTNAME_MISMATCH:
        return why + " (the certificate does not name " + endpoint_.host + ")";
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return why + " (not signed by a trusted CA; if a private CA signs it, set [provider] ca_file to that CA's "
                     "PEM file)";
      default:
        return why;
    }
  }

  std::string deadline_text(const char* what, std::chrono::milliseconds d, const char* key) const {
    return "timed out: " + std::string(what) + " (" + seconds_text(d) + ", [provider] timeouts." + key + ")";
  }

  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      // Most recently used first: the least likely to have been closed.
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (looks_open(*c)) return c;
      c->close();
    }
    return nullptr;
  }

  // Cheap pre-check that catches most closed idle connections without a
  // failed write: a FIN (or, in plain HTTP, any unsolicited byte) shows up as
  // readable data. TLS may legitimately have unread records (session
  // tickets), so there only EOF counts; the resend-once rule covers the rest.
  static bool looks_open(Connection& c) {
    auto& socket = c.tcp().socket();
    if (!socket.is_open()) return false;
    char byte;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return c.tls != nullptr;
  }

  void give_back(std::unique_ptr<Connection> c) {
    c->tcp().expires_never();
    std::lock_guard lock(mutex_);
    if (options_.max_idle_connections == 0) {
      c->close();
      return;
    }
    while (idle_.size() >= options_.max_idle_connections) {
      idle_.front()->close();
      idle_.pop_front();
    }
    idle_.push_back(std::move(c));
  }

  asio::awaitable<std::unique_ptr<Connection>> connect(const HttpRequest& in) {
    // Resolution is not covered by the stream's timer: a timer cancels it.
    auto resolver = std::make_shared<tcp::resolver>(executor_);
    asio::steady_timer timer(executor_, options_.connect_timeout);
    timer.async_wait([resolver](const beast::error_code& ec) {
      if (!ec) resolver->cancel();
    });
    const Url& peer = proxy_ ? proxy_->url : endpoint_;
    auto [rec, results] = co_await resolver->async_resolve(peer.host, std::to_string(peer.port), kTuple);
    timer.cancel();
    const std::string connect_late = deadline_text("no connection within the connect deadline",
                                                   options_.connect_timeout, "connect");
    if (rec)
      throw TransportError(describe(in, "resolve " + peer.host + via_proxy_text(), rec, is_timeout(rec) ? connect_late : ""), false,
                           is_timeout(rec));

    auto conn = std::make_unique<Connection>();
    if (ssl_ctx_)
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, *ssl_ctx_);
    else
      conn->plain = std::make_unique<beast::tcp_stream>(executor_);
    beast::tcp_stream& stream = conn->tcp();
    stream.expires_after(options_.connect_timeout);
    auto [cec, ep] = co_await stream.async_connect(results, kTuple);
    if (cec)
      throw TransportError(describe(in, "connect" + via_proxy_text(), cec, is_timeout(cec) ? connect_late : ""), false,
                           is_timeout(cec));
    beast::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    if (proxy_ && conn->tls) co_await open_tunnel(stream, in);

    if (conn->tls) {
      if (!is_ip_literal(endpoint_.host)) {
        // SNI: virtual-hosted HTTPS endpoints pick their certificate by it.
        // SSL_set_tlsext_host_name() is a macro with a C cast (-Wold-style-cast);
        // this is its expansion.
        if (!SSL_ctrl(conn->tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(endpoint_.host.c_str())))
          throw TransportError(
              describe(in, "TLS setup",
                       beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category())),
              false);
      }
      if (options_.verify_peer)
        conn->tls->set_verify_callback([host = endpoint_.host](bool preverified, ssl::verify_context& ctx) {
          const bool ok = ssl::host_name_verification(host)(preverified, ctx);
          // Record why, so that the handshake error can say it (refusal_text).
          if (!ok && preverified) X509_STORE_CTX_set_error(ctx.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
          return ok;
        });
      stream.expires_after(options_.tls_timeout);
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kTuple);
      if (hec)
        throw TransportError(
            describe(in, "TLS handshake", hec,
                     is_timeout(hec) ? deadline_text("no TLS handshake within the TLS deadline", options_.tls_timeout, "tls")
                                     : refusal_text(*conn->tls)),
            false, is_timeout(hec));
    }
    stream.expires_never();
    co_return conn;
  }

  // One exchange under two deadlines (issue 18 D11): the whole exchange
  // ends `request_timeout` after it started, and reading ends when no byte
  // arrived for `read_timeout` (a server that accepts and never answers, or
  // a chunked body that trickles forever, ends at one of them).
  template <class Stream>
  asio::awaitable<Attempt> exchange(Stream& stream, Connection& conn, http::request<http::string_body>& req) {
    Attempt a;
    const Clock::time_point deadline = Clock::now() + options_.request_timeout;
    const std::string whole_late =
        deadline_text("no complete answer within the request deadline", options_.request_timeout, "request");
    conn.tcp().expires_at(deadline);
    auto [wec, written] = co_await http::async_write(stream, req, kTuple);
    a.bytes_written = written;
    if (wec) {
      a.ec = wec;
      a.stage = "write";
      if (is_timeout(wec)) a.why = whole_late;
      co_return a;
    }
    a.wrote_all = true;

    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(options_.header_limit);
    if (req.method() == http::verb::head) parser.skip(true);
    while (!parser.is_done()) {
      const Clock::time_point idle_end = Clock::now() + options_.read_timeout;
      const bool idle_first = idle_end < deadline;
      conn.tcp().expires_at(idle_first ? idle_end : deadline);
      auto [rec, read] = co_await http::async_read_some(stream, conn.buffer, parser, kTuple);
      (void)read;
      if (!rec) continue;
      a.ec = rec;
      a.stage = "read";
      a.got_response_bytes = parser.got_some() || conn.buffer.size() > 0;
      if (is_timeout(rec))
        a.why = idle_first ? deadline_text(a.got_response_bytes ? "the answer stalled, no byte within the read deadline"
                                                                : "no answer within the read deadline",
                                           options_.read_timeout, "read")
                           : whole_late;
      else if (rec == http::error::body_limit)
        a.why = "the answer's body is larger than the limit of " + std::to_string(options_.body_limit) + " bytes";
      else if (rec == http::error::header_limit)
        a.why = "the answer's header is larger than the limit of " + std::to_string(options_.header_limit) + " bytes";
      co_return a;
    }
    // Converted here, inside the frame that owns the parser: the plain
    // struct is what crosses the coroutine boundary.
    const auto& res = parser.get();
    a.keep_alive = res.keep_alive();
    a.response.status = static_cast<int>(res.result_int());
    for (const auto& field : res)
      a.response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    a.response.body = std::move(parser.get().body());
    co_return a;
  }

  asio::any_io_executor executor_;
  Url endpoint_;
  HttpOptions options_;
  std::optional<ssl::context> ssl_ctx_;
  std::optional<Proxy> proxy_;  // set when a proxy carries this endpoint's requests
  std::mutex mutex_;  // the pool may be shared by coroutines on several threads
  std::deque<std::unique_ptr<Connection>> idle_;
};

class BeastTransport final : public HttpTransport {
 public:
  explicit BeastTransport(std::shared_ptr<Pool> pool) : pool_(std::move(pool)) {}
  ~BeastTransport() override { pool_->close_idle(); }
  asio::awaitable<HttpResponse> send(HttpRequest request) override { return Pool::send(pool_, std::move(request)); }

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_http_transport(asio::any_io_executor executor, const Url& endpoint,
                                                   const HttpOptions& options) {
  if (endpoint.scheme != "http" && endpoint.scheme != "https")
    throw std::invalid_argument("make_http_transport: scheme must be http or https, not \"" + endpoint.scheme + "\"");
  if (endpoint.host.empty() || endpoint.port == 0)
    throw std::invalid_argument("make_http_transport: endpoint has no host or port");
  return std::make_unique<BeastTransport>(std::make_shared<Pool>(std::move(executor), endpoint, options));
}

}  // namespace cph::cloud
