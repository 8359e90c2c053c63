// The emulator over a real socket: EmbeddedEmulator + a minimal Beast client,
// keep-alive, the body limit, and serve_main's flag handling.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// One keep-alive connection; each request is signed like the SDK signs it.
struct Client {
  explicit Client(uint16_t port) : stream(io) {
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    host = "127.0.0.1:" + std::to_string(port);
  }

  http::response<http::string_body> send(const std::string& method, const std::string& target,
                                         const std::string& body = "", bool sign = true) {
    HttpRequest plain;
    plain.method = method;
    plain.target = target;
    plain.headers = {{"Host", host}, {"Content-Type", "application/json"}};
    plain.body = body;
    if (sign) {
      cph::sign::SignableRequest s{method, std::string(plain.path()), std::string(plain.query()), plain.headers, body};
      cph::sign::sign_request(s, kCaller.access_key, kCaller.secret_key, cph::sign::sdk_date_now());
      plain.headers = s.headers;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    for (const auto& [k, v] : plain.headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }

  asio::io_context io;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string host;
};
}  // namespace

TEST_CASE("EmbeddedEmulator serves signed requests over HTTP/1.1 keep-alive", "[socket]") {
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  EmbeddedEmulator emu(o);
  emu.start();
  REQUIRE(emu.port() != 0);
  CHECK(emu.url() == "http://127.0.0.1:" + std::to_string(emu.port()));

  Client c(emu.port());
  auto r = c.send("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", rx1_purchase(2).dump());
  INFO(r.body());
  REQUIRE(r.result_int() == 200);
  CHECK(r[http::field::content_type] == "application/json;charset=UTF-8");
  json bought = json::parse(r.body());
  CHECK(bought["server_ids"].size() == 2);

  // Same connection.
  r = c.send("GET", project_path("/cloud-phone/servers?limit=1"));
  REQUIRE(r.result_int() == 200);
  CHECK(r.keep_alive());
  json page = json::parse(r.body());
  CHECK(page["count"] == 2);
  CHECK(page["servers"].size() == 1);
  CHECK(r["X-Request-Id"] == page["request_id"].get<std::string>());

  r = c.send("GET", project_path("/cloud-phone/servers"), "", /*sign=*/false);
  CHECK(r.result_int() == 401);
  r = c.send("GET", "/_emulator/stats", "", false);
  REQUIRE(r.result_int() == 200);
  json ops = json::parse(r.body())["operations"];
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["by_status"]["200"] == 1);
  CHECK(ops["GET /v1/{project_id}/cloud-phone/servers"]["by_status"]["401"] == 1);
  CHECK(ops["POST /v2/{project_id}/cloud-phone/servers"]["count"] == 1);

  // A second, concurrent connection works while the first stays open.
  Client c2(emu.port());
  r = c2.send("GET", project_path("/cloud-phone/servers/" + bought["server_ids"][0].get<std::string>()));
  CHECK(r.result_int() == 200);
  r = c.send("GET", project_path("/cloud-phone/server-models"));
  CHECK(r.result_int() == 200);

  emu.stop();
  CHECK(emu.port() == 0);
}

TEST_CASE("bodies over 12 MB are refused with 413", "[socket]") {
  Options o;
  o.credentials = {kCaller};
  EmbeddedEmulator emu(o);
  emu.start();
  // The limit applies as soon as the declared length is known: send only the
  // header (sending the body too would race the server closing the socket).
  Client c(emu.port());
  const std::string head = "POST /v2/" + kCaller.project_id +
                           "/cloud-phone/servers HTTP/1.1\r\nHost: " + c.host +
                           "\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(12 * 1024 * 1024 + 1) + "\r\n\r\n";
  asio::write(c.stream.socket(), asio::buffer(head));
  http::response<http::string_body> r;
  http::read(c.stream, c.buffer, r);
  CHECK(r.result_int() == 413);
  CHECK_FALSE(r.keep_alive());
  CHECK(json::parse(r.body())["error_code"] == "APIGW.0201");
  // Exactly 12 MB is within the limit (and then refused by the signature check).
  Client c2(emu.port());
  auto ok = c2.send("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", std::string(12 * 1024 * 1024, 'x'),
                    false);
  CHECK(ok.result_int() == 401);
}

TEST_CASE("out of file descriptors, the accept loop backs off instead of spinning, then resumes", "[socket]") {
  Options o;
  o.credentials = {kCaller};
  EmbeddedEmulator emu(o);
  emu.start();
  // A plain socket made now, connected once descriptors are exhausted.
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(client >= 0);
  // Lower this process's descriptor limit to what is open plus a few, and
  // fill it, so that the emulator's next accept fails with EMFILE.
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = 0;
  for (int fd = 0; fd < 4096; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) low.rlim_cur = static_cast<rlim_t>(fd) + 1;
  low.rlim_cur += 8;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<int> fillers;
  for (int fd; (fd = ::dup(client)) >= 0;) fillers.push_back(fd);
  REQUIRE(errno == EMFILE);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(emu.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The kernel completes the handshake from its backlog; accept fails.
  REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(::write(client, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  auto cpu_seconds = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu_before = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const double cpu_used = cpu_seconds() - cpu_before;

  for (int fd : fillers) ::close(fd);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
  CHECK(cpu_used < 0.3);  // a spinning loop burns a whole core: ~1.0 s in this second
  // The connection waiting in the backlog is accepted once descriptors are free.
  pollfd readable{client, POLLIN, 0};
  REQUIRE(::poll(&readable, 1, 10000) == 1);
  char answer[64] = {};
  CHECK(::read(client, answer, sizeof answer - 1) > 0);
  CHECK(std::string(answer).rfind("HTTP/1.1 200", 0) == 0);
  ::close(client);
}

TEST_CASE("EmbeddedEmulator reports a port it cannot bind", "[socket]") {
  Options o;
  EmbeddedEmulator first(o);
  first.start();
  Options same;
  same.listen = "127.0.0.1:" + std::to_string(first.port());
  EmbeddedEmulator second(same);
  CHECK_THROWS(second.start());
  Options bad;
  bad.listen = "not-an-address";
  EmbeddedEmulator third(bad);
  CHECK_THROWS(third.start());
}

TEST_CASE("credentials parse as AK:SK:PROJECT_ID", "[cli]") {
  Credential c = parse_credential("AK1:SK:with:colons:proj");
  CHECK(c.access_key == "AK1");
  CHECK(c.secret_key == "SK:with:colons");
  CHECK(c.project_id == "proj");
  CHECK_THROWS_AS(parse_credential("AK:SK"), std::invalid_argument);
  CHECK_THROWS_AS(parse_credential("::"), std::invalid_argument);
  CHECK_THROWS_AS(parse_credential("AK::P"), std::invalid_argument);
  CHECK_FALSE(builtin_credential().access_key.empty());
}

TEST_CASE("serve_main rejects bad flags with exit code 2", "[cli]") {
  CHECK(serve_main({"--bogus"}) == 2);
  CHECK(serve_main({"--listen"}) == 2);
  CHECK(serve_main({"--credentials-file", "/nonexistent/creds"}) == 2);
  CHECK(serve_main({"--time-scale", "fast"}) == 2);
  CHECK(serve_main({"--time-scale=-1"}) == 2);
  CHECK(serve_main({"--listen", "127.0.0.1:notaport"}) == 1);  // well-formed flag, unusable address
  CHECK(serve_main({"--tls=yes"}) == 2);  // --tls takes no value
  CHECK(serve_main({"--tls", "--tls-ca-file"}) == 2);
  CHECK(serve_main({"--tls", "--tls-name="}) == 2);
  // A CA file that cannot be written stops the start (exit 1), before listening.
  CHECK(serve_main({"--tls", "--tls-ca-file", "/nonexistent/dir/ca.pem", "--listen", "127.0.0.1:0"}) == 1);
}

TEST_CASE("serve_main takes credentials from a file or the environment, never from argv", "[cli]") {
  // The secret key on the command line would show in `ps`: refused, even well-formed.
  CHECK(serve_main({"--credentials", "AK:SK:PROJECT"}) == 2);
  CHECK(serve_main({"--credentials=AK:SK:PROJECT"}) == 2);
  auto file = std::filesystem::temp_directory_path() / ("creds-" + std::to_string(::getpid()));
  {
    std::ofstream out(file);
    out << "# emulator keys\nAK1:SK1:P1\n\nAK2:SK2:P2\n";
  }
  // Parsed (a bad address then ends the run with 1, not a usage error's 2).
  CHECK(serve_main({"--credentials-file", file.string(), "--listen", "127.0.0.1:notaport"}) == 1);
  {
    std::ofstream out(file);
    out << "AK1:SK1:P1\nbroken\n";
  }
  CHECK(serve_main({"--credentials-file", file.string()}) == 2);
  std::filesystem::remove(file);
  ::setenv("CPHFORM_EMULATOR_CREDENTIALS", "AK1:SK1:P1,AK2:SK2:P2", 1);
  CHECK(serve_main({"--listen", "127.0.0.1:notaport"}) == 1);
  ::setenv("CPHFORM_EMULATOR_CREDENTIALS", "AK1:SK1", 1);
  CHECK(serve_main({"--listen", "127.0.0.1:notaport"}) == 2);
  ::unsetenv("CPHFORM_EMULATOR_CREDENTIALS");
}
