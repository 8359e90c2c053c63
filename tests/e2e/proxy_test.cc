// Issue 17, proxies end to end: the real cphform binary reaches `cphform
// emulator serve --tls` only through a small CONNECT proxy run here (Asio on
// a thread of this test). The endpoint's host name does not resolve, so every
// request that arrives went through the proxy; NO_PROXY sends it direct; the
// proxy's password reaches no output and no file.
#include <array>
#include <atomic>
#include <mutex>
#include <thread>

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr const char* kProxyPassword = "Pr0xy-CANARY-55e1";
constexpr const char* kHiddenHost = "cph.proxy-only.invalid";  // resolvable by no one but the proxy

// An HTTP CONNECT proxy on 127.0.0.1 that asks for basic credentials and
// tunnels every CONNECT, whatever its host, to 127.0.0.1:upstream_port.
class ConnectProxy {
 public:
  ConnectProxy(uint16_t upstream_port, std::string authorization)
      : upstream_port_(upstream_port), authorization_(std::move(authorization)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ConnectProxy() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  // The CONNECT targets tunnelled, and the requests refused (407).
  std::vector<std::string> tunnels() const {
    std::lock_guard lock(mutex_);
    return tunnels_;
  }
  int refused() const { return refused_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(io_, tunnel(std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
    std::array<char, 16384> buf;
    for (;;) {
      auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), kTuple);
      if (ec) break;
      auto [wec, written] = co_await asio::async_write(to, asio::buffer(buf.data(), n), kTuple);
      if (wec) break;
    }
    boost::system::error_code ignored;
    to.shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> tunnel(tcp::socket client) {
    boost::beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    auto [ec, n] = co_await http::async_read_header(client, buffer, parser, kTuple);
    if (ec) co_return;
    const auto& req = parser.get();
    if (req.method() != http::verb::connect || req[http::field::proxy_authorization] != authorization_) {
      ++refused_;
      const std::string no = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
                             "Content-Length: 0\r\nConnection: close\r\n\r\n";
      co_await asio::async_write(client, asio::buffer(no), kTuple);
      co_return;
    }
    {
      std::lock_guard lock(mutex_);
      tunnels_.emplace_back(req.target());
    }
    tcp::socket upstream(io_);
    auto [cec] = co_await upstream.async_connect({asio::ip::make_address("127.0.0.1"), upstream_port_}, kTuple);
    if (cec) co_return;
    const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    co_await asio::async_write(client, asio::buffer(ok), kTuple);
    co_await (pump(client, upstream) && pump(upstream, client));
  }

  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  uint16_t upstream_port_;
  std::string authorization_;
  mutable std::mutex mutex_;
  std::vector<std::string> tunnels_;
  std::atomic<int> refused_{0};
};

uint16_t port_of(const std::string& url) { return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

std::string proxied_manifest(const std::string& endpoint, const std::string& ca_file) {
  std::string m = server_manifest(endpoint, "web", 2);
  return m.insert(m.find('\n') + 1, "ca_file = \"" + ca_file + "\"\n");
}


}  // namespace

TEST_CASE("HTTPS_PROXY: every request goes through the CONNECT proxy, with its credentials", "[e2e][proxy]") {
  // localhost first: the harness's own calls use the URL it prints.
  EmulatorProcess emu(1000.0, {"--tls", "--tls-name", "localhost", "--tls-name", kHiddenHost});
  const uint16_t port = port_of(emu.url());
  ConnectProxy proxy(port, "Basic YWxpY2U6UHIweHktQ0FOQVJZLTU1ZTE=");  // alice:Pr0xy-CANARY-55e1
  TempDir dir;
  const std::string endpoint = "https://" + std::string(kHiddenHost) + ":" + std::to_string(port);
  dir.write("main.toml", proxied_manifest(endpoint, emu.ca_file()));
  const std::string proxy_url = "http://alice:" + std::string(kProxyPassword) + "@127.0.0.1:" +
                                std::to_string(proxy.port());
  std::vector<RunResult> runs;
  for (const char* upper : {"HTTPS_PROXY", "https_proxy"}) {  // both spellings
    const std::map<std::string, std::string> env{{upper, proxy_url}, {"NO_PROXY", "localhost"}};
    runs.push_back(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", env));
    REQUIRE_RUN(runs.back(), 0);
  }
  CHECK(emu.servers().size() == 2);
  const auto tunnels = proxy.tunnels();
  REQUIRE_FALSE(tunnels.empty());
  for (const std::string& t : tunnels) CHECK(t == std::string(kHiddenHost) + ":" + std::to_string(port));
  CHECK(emu.total_calls() > 0);  // and each came through a tunnel: the name resolves nowhere else

  SECTION("a wrong password is refused with a clear error, which does not quote it") {
    const std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://alice:wrong-pw-1@127.0.0.1:" +
                                                                     std::to_string(proxy.port())}};
    auto r = run_cphform({"plan"}, dir.path(), &emu, "", env);
    REQUIRE_RUN(r, 1);
    CHECK(contains(r.err, "CONNECT through the proxy 127.0.0.1:" + std::to_string(proxy.port())));
    CHECK(contains(r.err, "the proxy answered HTTP 407"));
    CHECK_FALSE(contains(r.err + r.out, "wrong-pw-1"));
    CHECK(proxy.refused() >= 1);
  }
  SECTION("the proxy password reaches no output and no file") {
    for (const RunResult& r : runs) CHECK_FALSE(contains(r.out + r.err, kProxyPassword));
    CHECK(files_holding(dir.path(), kProxyPassword).empty());
  }
}

TEST_CASE("NO_PROXY bypasses the proxy", "[e2e][proxy]") {
  EmulatorProcess emu(1000.0, {"--tls"});  // https://localhost:PORT
  ConnectProxy proxy(port_of(emu.url()), "Basic YWxpY2U6cHc=");
  TempDir dir;
  dir.write("main.toml", proxied_manifest(emu.url(), emu.ca_file()));
  const std::string proxy_url = "http://alice:pw@127.0.0.1:" + std::to_string(proxy.port());
  for (const char* no_proxy : {"NO_PROXY", "no_proxy"}) {
    const std::map<std::string, std::string> env{{"HTTPS_PROXY", proxy_url}, {no_proxy, "example.test,localhost"}};
    REQUIRE_RUN(run_cphform({"plan"}, dir.path(), &emu, "", env), 0);
  }
  CHECK(proxy.tunnels().empty());
  CHECK(proxy.refused() == 0);
  // Without NO_PROXY the same run goes through it.
  REQUIRE_RUN(run_cphform({"plan"}, dir.path(), &emu, "", {{"HTTPS_PROXY", proxy_url}}), 0);
  CHECK_FALSE(proxy.tunnels().empty());
}
