// -parallelism: at most N requests of one API in flight, over a transport
// whose answers take a while, with waits that hold no slot.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "resources/cph/test_support.h"

using namespace cph::cloud::testing;

namespace {

// Answers every request 200 after 5 ms, counting requests in flight.
class SlowTransport : public HttpTransport {
 public:
  int in_flight = 0;
  int max_in_flight = 0;
  std::map<std::string, int> max_by_method;
  std::map<std::string, int> in_flight_by_method;

  asio::awaitable<HttpResponse> send(HttpRequest request) override {
    const std::string method = request.method;
    max_in_flight = std::max(max_in_flight, ++in_flight);
    max_by_method[method] = std::max(max_by_method[method], ++in_flight_by_method[method]);
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
    co_await t.async_wait(asio::use_awaitable);
    --in_flight;
    --in_flight_by_method[method];
    HttpResponse r;
    r.status = 200;
    r.body = method == "GET" ? R"({"server_id": "s", "server_name": "n", "status": 5})" : "{}";  // 3.2's required fields
    co_return r;
  }
};

}  // namespace

TEST_CASE("-parallelism bounds requests in flight per API, not across APIs", "[cloud][parallelism]") {
  asio::io_context io;
  auto transport = std::make_shared<SlowTransport>();
  CphClient client(transport, transport,
                   Endpoints{parse_url("https://cph.example"), parse_url("https://bss.example")}, kCreds);
  client.set_parallelism(3);
  int done = 0;
  for (int i = 0; i < 12; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await client.rename_server("s" + std::to_string(i), "n" + std::to_string(i));
          ++done;
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await client.show_server("s" + std::to_string(i));
          ++done;
        },
        asio::detached);
  }
  io.run();
  CHECK(done == 24);
  CHECK(transport->max_by_method["PUT"] == 3);
  CHECK(transport->max_by_method["GET"] == 3);
  CHECK(transport->max_in_flight == 6);  // two APIs, three each
  CHECK_THROWS_AS(client.set_parallelism(0), std::invalid_argument);
}
