#include "emulator/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <thread>

namespace cph::emulator {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

namespace {
// An idle keep-alive connection is closed after this long.
constexpr std::chrono::seconds kIdleTimeout{120};
// Pause of the accept loop after accept failed for lack of descriptors.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

HttpRequest to_plain(http::request<http::string_body>&& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  for (const auto& field : msg) req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  req.body = std::move(msg.body());
  return req;
}

http::response<http::string_body> to_beast(HttpResponse&& resp, unsigned version, bool keep_alive) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(resp.status));
  res.set(http::field::server, "cphform-emulator");
  for (auto& [name, value] : resp.headers) res.insert(name, value);
  res.body() = std::move(resp.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// The request loop over a plain or a TLS stream.
template <class Stream>
asio::awaitable<void> serve_requests(Stream& stream, const HttpServer::Handler& handler) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(HttpServer::kBodyLimit);
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      // The API gateway's answer to an oversized body; then close, since the
      // rest of the body is still on the wire.
      HttpResponse too_large;
      too_large.status = 413;
      too_large.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
      too_large.body = R"({"error_code":"APIGW.0201","error_msg":"Request entity too large"})";
      auto res = to_beast(std::move(too_large), 11, false);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (ec) break;  // end of stream, timeout, reset, malformed request
    http::request<http::string_body> msg = parser.release();
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive();
    HttpResponse resp = handler(to_plain(std::move(msg)));
    if (resp.delay_ms > 0) {  // injected latency: other connections keep being served
      asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(resp.delay_ms));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (resp.drop_connection) {  // injected connection reset: no response at all
      beast::get_lowest_layer(stream).socket().close(ec);
      co_return;
    }
    auto res = to_beast(std::move(resp), version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> session(tcp::socket socket, const HttpServer::Handler& handler, ssl::context* tls) {
  if (!tls) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_requests(stream, handler);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
  beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
  boost::system::error_code ec;
  // A client that refuses the certificate ends here (its alert is the error).
  co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  co_await serve_requests(stream, handler);
}



asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const HttpServer::Handler& handler, ssl::context* tls) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory) {
      // Out of descriptors (EMFILE/ENFILE) or kernel memory: the pending
      // connection stays queued, so accepting again at once fails again at
      // once (a 100% CPU spin, issue 18 D12). Wait for sessions to close.
      asio::steady_timer pause(acceptor.get_executor(), kAcceptBackoff);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (ec) continue;  // e.g. the client reset before accept completed
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), handler, tls), asio::detached);
  }
}
}  // namespace

struct HttpServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)) {}
  // Declared before io so that the io_context (and the coroutine frames it
  // owns, which reference the handler) is destroyed first.
  Handler handler;
  std::optional<ssl::context> tls;  // set by use_tls(): HTTPS
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<bool> stopped{false};

  void shutdown() {
    boost::system::error_code ec;
    acceptor.close(ec);
    io.stop();
  }
};

HttpServer::HttpServer(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::use_tls(const std::string& cert_pem, const std::string& key_pem) {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx.use_certificate_chain(asio::buffer(cert_pem), ec);
  if (!ec) ctx.use_private_key(asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use the TLS certificate: " + ec.message());
  impl_->tls.emplace(std::move(ctx));
}

bool HttpServer::tls() const { return impl_->tls.has_value(); }

void HttpServer::listen(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("listen address must be host:port, got '" + host_port + "'");
  std::string host = host_port.substr(0, colon);
  std::string port_text = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw std::runtime_error("invalid port in listen address '" + host_port + "'");
  }
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("invalid host in listen address '" + host_port + "' (use an IP address)");
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  tcp::acceptor& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    a.close(ignored);
    throw std::runtime_error("cannot listen on " + host_port + ": " + ec.message());
  }
  asio::co_spawn(impl_->io, accept_loop(impl_->acceptor, impl_->handler, impl_->tls ? &*impl_->tls : nullptr),
                 asio::detached);
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string HttpServer::host() const { return impl_->acceptor.local_endpoint().address().to_string(); }

void HttpServer::start() {
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void HttpServer::run(bool stop_on_signals) {
  asio::signal_set signals(impl_->io);
  if (stop_on_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) impl_->shutdown();
    });
  }
  impl_->io.run();
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
  // If the io_context is not running (never started, or already stopped)
  // the posted shutdown never runs: stop it directly.
  if (!impl_->thread.joinable()) impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cph::emulator
