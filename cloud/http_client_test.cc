// Tests of the real Beast transport against small servers (cloud/test_server.h) with
// plain asio: the request on the wire, keep-alive, stale connections, refused
// connections, timeouts, and HTTPS verification with a throw-away CA.
#include "cloud/test_server.h"
#include "cloud/proxy.h"
#include "common/tls_certificate.h"

using namespace cph::cloud::testing;

// ================================================================================
// The real transport against in-test servers
// ================================================================================

namespace {

// Connection 0 answers its first request and drops the second unanswered,
// as a server whose idle timer fired just as the request arrived.
struct IdleRace {
  std::atomic<int> on_first{0};
  TestServer server{[this](const Received& r) {
    if (r.connection == 0 && on_first++ == 1) return make_reply(Action::close_without_response);
    return Reply{};
  }};
};

}  // namespace

TEST_CASE("transport: request on the wire and response", "[cloud][transport]") {
  TestServer server([](const Received& r) {
    Reply reply;
    reply.status = r.method == "POST" ? 201 : 200;
    reply.body = R"({"echo": ")" + r.method + "\"}";
    reply.headers = {{"X-Request-Id", "rid-1"}};
    return reply;
  });
  asio::io_context io;
  auto transport = make_http_transport(io.get_executor(), local_url(server.port()));

  HttpRequest post;
  post.method = "POST";
  post.target = "/api/p/x?a=1";
  post.headers = {{"Content-Type", "application/json"}, {"X-Custom", "v"}};
  post.body = R"({"k":"v"})";
  HttpResponse r = run(io, transport->send(post));
  CHECK(r.status == 201);
  CHECK(r.body == R"({"echo": "POST"})");
  CHECK(r.header("x-request-id") == "rid-1");

  HttpRequest del;
  del.method = "DELETE";  // DELETE with a body (reference 11.1, 5.1.11)
  del.target = "/api/p/things/batch";
  del.body = R"({"server_ids":["a"]})";
  CHECK(run(io, transport->send(del)).status == 200);

  const auto seen = server.received();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].target == "/api/p/x?a=1");
  CHECK(seen[0].body == R"({"k":"v"})");
  CHECK(header_of(seen[0].headers, "Host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(header_of(seen[0].headers, "X-Custom") == "v");
  CHECK(header_of(seen[0].headers, "Content-Length") == "9");
  CHECK(seen[1].method == "DELETE");
  CHECK(seen[1].body == R"({"server_ids":["a"]})");
  CHECK(header_of(seen[1].headers, "Content-Length") == "20");
}

TEST_CASE("transport: plain HTTP through HTTP_PROXY goes in absolute form with the proxy's credentials",
          "[cloud][transport][proxy]") {
  // The server here plays the proxy: the endpoint's name does not resolve,
  // so an answer proves the request went through it.
  TestServer proxy([](const Received&) { return make_reply(Action::respond, 200, R"({"via": "proxy"})"); });
  asio::io_context io;
  ProxySettings settings;
  settings.http_proxy = "http://alice:pw@127.0.0.1:" + std::to_string(proxy.port());
  use_proxy_settings(settings);
  struct Direct {  // every other test connects directly
    ~Direct() { use_proxy_settings({}); }
  } direct_again;
  auto transport = make_http_transport(io.get_executor(), parse_url("http://cph.proxy-only.invalid:8080/base"));
  HttpResponse r = run(io, transport->send(get("/base/api/p/items?limit=1")));
  CHECK(r.body == R"({"via": "proxy"})");
  const auto seen = proxy.received();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].target == "http://cph.proxy-only.invalid:8080/base/api/p/items?limit=1");
  CHECK(header_of(seen[0].headers, "Host") == "cph.proxy-only.invalid:8080");
  CHECK(header_of(seen[0].headers, "Proxy-Authorization") == "Basic YWxpY2U6cHc=");  // alice:pw

  SECTION("NO_PROXY sends it direct (and the name does not resolve)") {
    settings.no_proxy = ".invalid";
    use_proxy_settings(settings);
    auto direct = make_http_transport(io.get_executor(), parse_url("http://cph.proxy-only.invalid:8080"));
    const auto e = run_expecting<TransportError>(io, direct->send(get("/a")));
    CHECK(std::string(e.what()).find("resolve cph.proxy-only.invalid failed") != std::string::npos);
    CHECK(proxy.received().size() == 1);
  }
}

TEST_CASE("transport: keep-alive reuses one connection", "[cloud][transport]") {
  TestServer server([](const Received&) { return Reply{}; });
  asio::io_context io;
  auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
  CHECK(run(io, transport->send(get("/a"))).status == 200);
  CHECK(run(io, transport->send(get("/b"))).status == 200);
  CHECK(run(io, transport->send(get("/c"))).status == 200);
  CHECK(server.accepted() == 1);
  const auto seen = server.received();
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].connection == 0);
}

TEST_CASE("transport: the idle pool is bounded", "[cloud][transport]") {
  TestServer server([](const Received&) { return Reply{}; });
  asio::io_context io;
  HttpOptions options;
  options.max_idle_connections = 1;
  auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
  // Three requests in flight together need three connections.
  int done = 0;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(io, transport->send(get("/p")), [&done](std::exception_ptr e, HttpResponse r) {
      CHECK_FALSE(e);
      CHECK(r.status == 200);
      ++done;
    });
  io.run();
  CHECK(done == 3);
  CHECK(server.accepted() == 3);
  // Only one is kept: the other two are closed by the client.
  CHECK(server.wait_closed(2));
  CHECK(server.closed() == 2);
  CHECK(run(io, transport->send(get("/q"))).status == 200);
  CHECK(server.accepted() == 3);
}

TEST_CASE("transport: a connection closed while idle is replaced", "[cloud][transport]") {
  SECTION("closed before the next request is sent") {
    TestServer server([](const Received&) { return make_reply(Action::respond_then_close); });
    asio::io_context io;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
    CHECK(run(io, transport->send(get("/a"))).status == 200);
    REQUIRE(server.wait_closed(1));
    CHECK(run(io, transport->send(get("/b"))).status == 200);
    CHECK(server.accepted() == 2);
    CHECK(server.received().size() == 2);
  }
  SECTION("closed as the request arrives (the race): resent once on a new connection") {
    IdleRace race;
    TestServer& server = race.server;
    asio::io_context io;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
    CHECK(run(io, transport->send(get("/a"))).status == 200);
    CHECK(run(io, transport->send(get("/b"))).status == 200);
    CHECK(server.accepted() == 2);
    const auto seen = server.received();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1].target == "/b");
    CHECK(seen[1].connection == 0);
    CHECK(seen[2].target == "/b");
    CHECK(seen[2].connection == 1);
  }
  SECTION("a mutation is not resent once any byte of it was written (issue 18 D1)") {
    // The same race for a POST: the server read it, then closed without an
    // answer. It may have processed it (a purchase: bought), so the
    // transport reports it as maybe sent and never sends it again.
    IdleRace race;
    TestServer& server = race.server;
    asio::io_context io;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
    CHECK(run(io, transport->send(get("/a"))).status == 200);
    HttpRequest post;
    post.method = "POST";
    post.target = "/buy";
    post.body = R"({"count":2})";
    const auto e = run_expecting<TransportError>(io, transport->send(post));
    CHECK(e.maybe_sent);
    CHECK(std::string(e.what()).find("(request sent)") != std::string::npos);
    const auto seen = server.received();
    REQUIRE(seen.size() == 2);  // the purchase arrived once, and only once
    CHECK(seen[1].target == "/buy");
    CHECK(server.accepted() == 1);
  }
  SECTION("an idempotent mutation (it sets a value) is resent, as a read") {
    IdleRace race;
    TestServer& server = race.server;
    asio::io_context io;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
    CHECK(run(io, transport->send(get("/a"))).status == 200);
    HttpRequest put;
    put.method = "PUT";
    put.target = "/rename";
    put.body = R"({"server_name":"n"})";
    put.idempotent = true;
    CHECK(run(io, transport->send(put)).status == 200);
    const auto seen = server.received();
    REQUIRE(seen.size() == 3);
    CHECK(seen[2].target == "/rename");
    CHECK(seen[2].connection == 1);
  }
  SECTION("a fresh connection closed without an answer is not resent") {
    TestServer server([](const Received&) { return make_reply(Action::close_without_response); });
    asio::io_context io;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()));
    const auto e = run_expecting<TransportError>(io, transport->send(get("/a")));
    CHECK(e.maybe_sent);  // the request was written: the server may have acted on it
    CHECK(server.accepted() == 1);
    CHECK(server.received().size() == 1);
  }
}

TEST_CASE("transport: connection refused", "[cloud][transport]") {
  uint16_t port;
  {
    asio::io_context tmp;
    tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  asio::io_context io;
  auto transport = make_http_transport(io.get_executor(), local_url(port));
  const auto e = run_expecting<TransportError>(io, transport->send(get("/a")));
  CHECK_FALSE(e.maybe_sent);
  CHECK(std::string(e.what()).find("connect") != std::string::npos);
}

TEST_CASE("transport: request timeout", "[cloud][transport]") {
  TestServer server([](const Received&) { return make_reply(Action::hang); });
  asio::io_context io;
  HttpOptions options;
  options.request_timeout = 300ms;
  auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
  const auto start = std::chrono::steady_clock::now();
  const auto e = run_expecting<TransportError>(io, transport->send(get("/slow")));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(e.maybe_sent);
  CHECK(std::string(e.what()).find("timed out") != std::string::npos);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 5s);
  CHECK(server.accepted() == 1);  // a timeout is not resent
}

TEST_CASE("transport: deadlines and size limits end a misbehaving server's answer", "[cloud][transport][bounds]") {
  asio::io_context io;
  HttpOptions options;
  options.connect_timeout = 2s;
  options.tls_timeout = 300ms;
  options.read_timeout = 300ms;
  options.request_timeout = 700ms;
  auto elapsed_since = [](auto start) { return std::chrono::steady_clock::now() - start; };
  SECTION("a server that accepts and never answers: the read deadline") {
    TestServer server([](const Received&) { return make_reply(Action::hang); });
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
    const auto start = std::chrono::steady_clock::now();
    const auto e = run_expecting<TransportError>(io, transport->send(get("/api/p/items")));
    CHECK(elapsed_since(start) >= 250ms);
    CHECK(elapsed_since(start) < 650ms);  // before the request deadline
    CHECK(e.maybe_sent);
    CHECK(e.over_limit);
    const std::string what = e.what();
    CHECK(what.find("GET http://127.0.0.1:" + std::to_string(server.port()) + "/api/p/items") == 0);
    CHECK(what.find("no answer within the read deadline (300 ms, [provider] timeouts.read)") != std::string::npos);
  }
  SECTION("a chunked body that never ends: the request deadline") {
    TestServer server([](const Received&) { return make_reply(Action::trickle); });
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
    const auto start = std::chrono::steady_clock::now();
    const auto e = run_expecting<TransportError>(io, transport->send(get("/endless")));
    CHECK(elapsed_since(start) >= 650ms);  // bytes keep coming: the idle deadline never fires
    CHECK(elapsed_since(start) < 3s);
    CHECK(e.over_limit);
    CHECK(std::string(e.what()).find("within the request deadline (700 ms, [provider] timeouts.request)") !=
          std::string::npos);
  }
  SECTION("a body over the limit is refused") {
    TestServer server([](const Received&) { return make_reply(Action::respond, 200, std::string(5000, 'x')); });
    options.body_limit = 4096;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
    const auto e = run_expecting<TransportError>(io, transport->send(get("/big")));
    CHECK(e.over_limit);
    CHECK(std::string(e.what()).find("larger than the limit of 4096 bytes") != std::string::npos);
    CHECK(server.accepted() == 1);  // not resent
  }
  SECTION("headers over the limit are refused") {
    TestServer server([](const Received&) {
      Reply r;
      r.headers = {{"X-Padding", std::string(3000, 'p')}};
      return r;
    });
    options.header_limit = 1024;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port()), options);
    const auto e = run_expecting<TransportError>(io, transport->send(get("/h")));
    CHECK(e.over_limit);
    CHECK(std::string(e.what()).find("header is larger than the limit of 1024 bytes") != std::string::npos);
  }
  SECTION("a TLS endpoint that never answers the handshake: the TLS deadline") {
    TestServer server([](const Received&) { return Reply{}; });  // plain HTTP: waits for a request line
    auto transport = make_http_transport(io.get_executor(), local_url(server.port(), "https"), options);
    const auto start = std::chrono::steady_clock::now();
    const auto e = run_expecting<TransportError>(io, transport->send(get("/t")));
    CHECK(elapsed_since(start) < 2s);
    CHECK_FALSE(e.maybe_sent);
    CHECK(e.over_limit);
    CHECK(std::string(e.what()).find("no TLS handshake within the TLS deadline (300 ms, [provider] timeouts.tls)") !=
          std::string::npos);
  }
}

// ---- HTTPS ----------------------------------------------------------------------

namespace {

struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& name, const std::string& content)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::ofstream(path) << content;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

}  // namespace

TEST_CASE("transport: HTTPS peer verification", "[cloud][transport][tls]") {
  // A throw-away certificate for "localhost" (CN and SAN), its own CA.
  const cph::tls::Certificate cert = cph::tls::make_self_signed();
  REQUIRE(cert.cert_pem.find("BEGIN CERTIFICATE") != std::string::npos);
  auto server_ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  server_ctx->use_certificate_chain(asio::buffer(cert.cert_pem));
  server_ctx->use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
  TestServer server([](const Received&) { return make_reply(Action::respond, 200, R"({"tls": true})"); }, server_ctx);
  const TempFile ca("cphform-cloud-test-ca.pem", cert.cert_pem);
  asio::io_context io;

  SECTION("an untrusted certificate is rejected by default") {
    auto transport = make_http_transport(io.get_executor(), local_url(server.port(), "https", "localhost"));
    const auto e = run_expecting<TransportError>(io, transport->send(get("/a")));
    CHECK_FALSE(e.maybe_sent);
    CHECK(std::string(e.what()).find("TLS handshake") != std::string::npos);
    CHECK(std::string(e.what()).find("the server's certificate was refused: self-signed certificate") !=
          std::string::npos);
    CHECK(std::string(e.what()).find("set [provider] ca_file") != std::string::npos);
    CHECK(server.received().empty());
  }
  SECTION("trusted through ca_file: accepted, with SNI") {
    HttpOptions options;
    options.ca_file = ca.path.string();
    auto transport = make_http_transport(io.get_executor(), local_url(server.port(), "https", "localhost"), options);
    HttpResponse r = run(io, transport->send(get("/a")));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"tls": true})");
    CHECK(run(io, transport->send(get("/b"))).status == 200);  // kept alive over TLS too
    CHECK(server.accepted() == 1);
    const auto seen = server.received();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].sni == "localhost");
    CHECK(header_of(seen[0].headers, "Host") == "localhost:" + std::to_string(server.port()));
  }
  SECTION("trusted certificate but a host name it does not name") {
    HttpOptions options;
    options.ca_file = ca.path.string();
    auto transport = make_http_transport(io.get_executor(), local_url(server.port(), "https", "127.0.0.1"), options);
    const auto e = run_expecting<TransportError>(io, transport->send(get("/a")));
    CHECK_FALSE(e.maybe_sent);
    CHECK(std::string(e.what()).find("refused: hostname mismatch (the certificate does not name 127.0.0.1)") !=
          std::string::npos);
    CHECK(server.received().empty());
  }
  SECTION("verification can be switched off explicitly") {
    HttpOptions options;
    options.verify_peer = false;
    auto transport = make_http_transport(io.get_executor(), local_url(server.port(), "https", "127.0.0.1"), options);
    CHECK(run(io, transport->send(get("/a"))).status == 200);
  }
  SECTION("an unreadable ca_file is reported at construction") {
    HttpOptions options;
    options.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_AS(make_http_transport(io.get_executor(), local_url(server.port(), "https", "localhost"), options),
                    std::invalid_argument);
  }
}
