// Issue 18 D5/D11 end to end: `cphform plan` against a scripted bad cloud on
// loopback ends with a clear error within the deadlines of [provider]
// timeouts (or their documented defaults), and a list that pages forever or
// reports a huge count ends in an error with bounded memory.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/sanitized.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
using namespace std::chrono_literals;

namespace {

// A cloud that misbehaves in one way, on 127.0.0.1, one thread per connection.
class BadCloud {
 public:
  enum class Mode {
    silent,         // accepts, reads, never answers
    endless_pages,  // every server list page is full of servers never listed before, no count
    huge_count,     // a full first page reporting count = 2147483647
  };

  explicit BadCloud(Mode mode) : mode_(mode) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~BadCloud() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    ::close(listener_);
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
    for (int fd : connections_) ::close(fd);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      connections_.push_back(fd);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {
      size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      buffer.erase(0, end + 4);  // the server list is a GET without a body
      ++requests_;
      if (mode_ == Mode::silent) continue;  // read on, never answer
      const std::string body = page();
      const std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
      if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return;
    }
  }

  // 100 servers never listed before, shaped as the 3.1 example.
  std::string page() {
    std::string servers;
    for (int i = 0; i < 100; ++i) {
      const std::string id = std::to_string(serial_++);
      servers += std::string(servers.empty() ? "" : ",") + R"({"server_id":"srv-)" + id +
                 R"(","server_name":"other-)" + id +
                 R"(","server_model_name":"physical.rx1.xlarge","phone_model_name":"rx1.cp.c105.d6.e5v5",)"
                 R"("status":2,"vpc_id":"9a11e291-967f-4dd6-99bd-9be54f10583c","subnet_id":)"
                 R"("c7f9983d-03ca-4a2e-a0e1-d6bd97174669","addresses":[{"server_ip":"192.168.0.62"}],)"
                 R"("metadata":{"order_id":"CS21111116336E8RX","product_id":"00301-221014-0--0"}})";
    }
    std::string body = R"({"servers":[)" + servers + "]";
    if (mode_ == Mode::huge_count) body += R"(,"count":2147483647)";
    return body + "}";
  }

  const Mode mode_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> serial_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::thread> threads_;
};

const std::map<std::string, std::string> kKeys = {{"HW_ACCESS_KEY", "AKBADCLOUD"},
                                                  {"HW_SECRET_KEY", "secret-of-the-bad-cloud"},
                                                  {"HW_PROJECT_ID", "0a1b2c3d4e5f67890a1b2c3d4e5f6789"},
                                                  {"HW_REGION_NAME", "cn-east-3"}};

struct TimedRun {
  RunResult result;
  std::chrono::steady_clock::duration elapsed;
  long peak_rss_mb = 0;
};

TimedRun plan_against(const BadCloud& cloud, const std::string& provider_extra) {
  TempDir dir;
  std::string manifest = server_manifest(cloud.url(), "web", 1);
  manifest.insert(manifest.find("\n\n"), "\n" + provider_extra);
  dir.write("main.toml", manifest);
  TimedRun t;
  const auto start = std::chrono::steady_clock::now();
  Process p({cphform_binary(), "plan"}, dir.path(), kKeys, dir.path() / "out", dir.path() / "err");
  rusage usage{};
  t.result.exit_code = p.wait(&usage);
  t.elapsed = std::chrono::steady_clock::now() - start;
  t.peak_rss_mb = usage.ru_maxrss / 1024;
  t.result.out = slurp(dir.path() / "out");
  t.result.err = slurp(dir.path() / "err");
  return t;
}

}  // namespace

TEST_CASE("a server that accepts and never answers ends plan within the [provider] read deadline",
          "[e2e][bounds]") {
  BadCloud cloud(BadCloud::Mode::silent);
  const TimedRun t = plan_against(cloud, R"(timeouts = { connect = "2s", read = "2s", request = "20s" })");
  INFO("stdout:\n" << t.result.out << "\nstderr:\n" << t.result.err);
  CHECK(t.result.exit_code == 1);
  CHECK(t.elapsed >= 2s);
  CHECK(t.elapsed < 10s);
  CHECK(t.result.err.find("GET /v1/{project_id}/cloud-phone/servers: GET " + cloud.url() + "/v1/") !=
        std::string::npos);
  CHECK(t.result.err.find("no answer within the read deadline (2 s, [provider] timeouts.read)") != std::string::npos);
  CHECK(cloud.requests() == 1);  // a deadline is not retried
}

TEST_CASE("with the default deadlines a silent server ends plan within 60 s", "[e2e][bounds]") {
  BadCloud cloud(BadCloud::Mode::silent);
  const TimedRun t = plan_against(cloud, "");
  INFO("stdout:\n" << t.result.out << "\nstderr:\n" << t.result.err);
  CHECK(t.result.exit_code == 1);
  CHECK(t.elapsed >= 30s);  // the documented idle-read default
  CHECK(t.elapsed < 60s);
  CHECK(t.result.err.find("no answer within the read deadline (30 s, [provider] timeouts.read)") != std::string::npos);
}

TEST_CASE("a list that pages forever or reports a huge count ends plan in an error, under 200 MB", "[e2e][bounds]") {
  SECTION("count = 2147483647") {
    BadCloud cloud(BadCloud::Mode::huge_count);
    const TimedRun t = plan_against(cloud, "");
    INFO("stdout:\n" << t.result.out << "\nstderr:\n" << t.result.err << "\npeak RSS " << t.peak_rss_mb << " MB");
    CHECK(t.result.exit_code == 1);
    CHECK(t.result.err.find("the service reports 2147483647 items, more than one listing reads (500 pages of 100)") !=
          std::string::npos);
    CHECK(cloud.requests() == 1);
    CHECK((cph::kSanitized || t.peak_rss_mb < 200));
    WARN("huge count: peak RSS " << t.peak_rss_mb << " MB");
  }
  SECTION("pages that never end") {
    BadCloud cloud(BadCloud::Mode::endless_pages);
    const TimedRun t = plan_against(cloud, "");
    INFO("stdout:\n" << t.result.out << "\nstderr:\n" << t.result.err << "\npeak RSS " << t.peak_rss_mb << " MB");
    CHECK(t.result.exit_code == 1);
    CHECK(t.result.err.find("the listing goes on beyond 500 pages of 100 items") != std::string::npos);
    CHECK(cloud.requests() == 500);
    CHECK((cph::kSanitized || t.peak_rss_mb < 200));
    WARN("endless pages: peak RSS " << t.peak_rss_mb << " MB, " << t.elapsed / 1ms << " ms");
  }
}
