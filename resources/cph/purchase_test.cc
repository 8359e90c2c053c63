// Purchases and the shared ServerWatcher against the in-process emulator:
// the servers of completed orders are confirmed by pages of the server list
// (cph-api.md 3.1, newest first), never one GET .../servers/{server_id}
// (3.2) per server; 3.2 only proves a server the list no longer shows gone.
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "resources/cph/emulator_fixture.h"
#include "resources/polling.h"
#include "resources/cph/server.h"
#include "resources/cph/server_watcher.h"

using namespace cph;
using namespace cph::resources;
using namespace cph::cloud::testing;
using namespace std::chrono_literals;

namespace {

const std::string kList = "GET /v1/{project_id}/cloud-phone/servers";
const std::string kShow = "GET /v1/{project_id}/cloud-phone/servers/{server_id}";

// Keeps the operations journaled, in order, with their answers.
class OperationLog : public OperationJournal {
 public:
  std::vector<std::string> operations;
  std::vector<Json> answers;
  int64_t intent(const std::string&, const std::string& operation, const std::string&, const Json&) override {
    operations.push_back(operation);
    answers.emplace_back();
    return static_cast<int64_t>(operations.size()) - 1;
  }
  void answered(int64_t entry, const Json& response) override { answers.at(static_cast<size_t>(entry)) = response; }
};

PollPolicy quick_poll() {
  PollPolicy p;
  p.initial = 5ms;
  p.max = 50ms;
  p.timeout = 60s;
  return p;
}

// Instances web[first]..web[first+n-1] of a counted block "web".
std::vector<ServerInstance> web_instances(int first, int n) {
  const Json attrs = {{"server_model", "physical.rx1.xlarge"},
                      {"phone_model", "rx1.cp.c105.d6.e5v5"},
                      {"image_id", "20060220200717f201120a2300000e91"},
                      {"vpc_id", "fca063f6-b942-42a8-9004-e5545f58d6a2"},
                      {"subnet_id", "f1cbfc37-eb42-4357-a0ec-9e4f11950908"},
                      {"keypair", "keypair"},
                      {"bandwidth", {{"share_type", "dedicated"}, {"charge_mode", "traffic"}, {"size", 300}}}};
  std::vector<ServerInstance> out;
  for (int i = first; i < first + n; ++i) {
    const std::string name = server_instance_name("web", true, i);
    Json a = attrs;
    a["name"] = name;
    out.push_back({"server.web[" + std::to_string(i) + "]", name, a});
  }
  return out;
}

boost::asio::awaitable<void> request_stop_after(std::chrono::milliseconds d, StopSignal& stop) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
  stop.request();
}

}  // namespace

TEST_CASE("purchase_servers: several orders are confirmed by shared list pages, not server by server",
          "[resources][purchase]") {
  // Creation takes a few hundred simulated seconds: about 1.5 s at this
  // scale, so that the watcher reads servers still creating in several
  // rounds even on a loaded machine (at 1000 a CI run once saw one round).
  EmulatorFixture f(200);
  PollPolicy poll = quick_poll();
  ServerWatcher watcher(f.client(), poll);
  poll.servers = &watcher;
  OperationLog journal;
  const std::vector<std::vector<ServerInstance>> orders = {web_instances(0, 10), web_instances(10, 10),
                                                           web_instances(20, 5)};
  std::vector<std::vector<InstanceResult>> results(orders.size());
  std::vector<std::exception_ptr> errors(orders.size());
  for (size_t i = 0; i < orders.size(); ++i)
    boost::asio::co_spawn(f.io, purchase_servers(f.client(), journal, orders[i], "web", poll),
                          [&, i](std::exception_ptr e, std::vector<InstanceResult> r) {
                            errors[i] = e;
                            results[i] = std::move(r);
                          });
  f.run([]() -> boost::asio::awaitable<void> { co_return; }());  // runs the three to their end

  for (size_t i = 0; i < orders.size(); ++i) {
    REQUIRE_FALSE(errors[i]);
    REQUIRE(results[i].size() == orders[i].size());
    for (size_t k = 0; k < orders[i].size(); ++k) {
      INFO(orders[i][k].address);
      CHECK(results[i][k].address == orders[i][k].address);
      CHECK(results[i][k].attributes.at("name") == orders[i][k].name);
      CHECK(results[i][k].attributes.at("status") == 5);
    }
  }
  // The 2nd and 3rd orders' servers came back named web-0001..: renamed.
  CHECK(std::count(journal.operations.begin(), journal.operations.end(), "rename") == 15);
  CHECK(f.served(kShow) == 0);
  // Every round read one page (the 25 servers are the newest) for all three
  // orders at once, and there were rounds in which servers were creating.
  CHECK(f.served(kList) == watcher.calls());
  CHECK(watcher.calls() == watcher.rounds());
  CHECK(watcher.rounds() >= 2);
}

TEST_CASE("ServerWatcher: a server the list does not show is gone only on a 404 of its own read",
          "[resources][purchase]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(2);
  ServerWatcher watcher(f.client(), quick_poll());
  const std::string missing = "00000000000000000000000000000000";
  auto servers = f.run(watcher.wait({ids[0], missing, ids[1]}, "order CS1", std::chrono::steady_clock::now() + 60s));
  REQUIRE(servers.size() == 3);
  CHECK(servers[0].server_id == ids[0]);
  CHECK(servers[0].status == 5);
  CHECK(servers[1].server_id == missing);
  CHECK(servers[1].status == kServerGone);
  CHECK(servers[2].server_id == ids[1]);
  CHECK(servers[2].status == 5);
  CHECK(f.served(kList) == 1);  // one complete listing (2 servers, a short page)
  CHECK(f.served(kShow) == 1);  // then the unlisted one alone
  CHECK(watcher.calls() == 2);
}

TEST_CASE("ServerWatcher: Ctrl-C ends every wait with Interrupted; a deadline ends one wait",
          "[resources][purchase]") {
  EmulatorFixture f;  // frozen clock: the servers stay creating
  const std::vector<std::string> ids = f.run(f.client().purchase_servers(example_purchase(2))).server_ids;
  const auto later = std::chrono::steady_clock::now() + 60s;

  SECTION("Ctrl-C") {
    StopSignal stop;
    PollPolicy poll = quick_poll();
    poll.stop = &stop;
    ServerWatcher watcher(f.client(), poll);
    std::exception_ptr first, second;
    boost::asio::co_spawn(f.io, watcher.wait({ids[0]}, "order CS1", later), [&](std::exception_ptr e, auto) { first = e; });
    boost::asio::co_spawn(f.io, watcher.wait({ids[1]}, "order CS2", later), [&](std::exception_ptr e, auto) { second = e; });
    f.run(request_stop_after(60ms, stop));
    CHECK_THROWS_AS(std::rethrow_exception(first), Interrupted);
    CHECK_THROWS_AS(std::rethrow_exception(second), Interrupted);
    CHECK_THROWS_AS(f.run(watcher.wait({ids[0]}, "order CS1", later)), Interrupted);
    CHECK(f.served(kShow) == 0);
  }
  SECTION("deadline") {
    ServerWatcher watcher(f.client(), quick_poll());
    std::exception_ptr soon;
    std::vector<cloud::Server> waited;
    boost::asio::co_spawn(f.io, watcher.wait({ids[0]}, "order CS1", std::chrono::steady_clock::now() + 40ms),
                          [&](std::exception_ptr e, auto) { soon = e; });
    boost::asio::co_spawn(f.io, watcher.wait({ids[1]}, "order CS2", later),
                          [&](std::exception_ptr e, std::vector<cloud::Server> s) {
                            REQUIRE_FALSE(e);
                            waited = std::move(s);
                          });
    bool timed_out_first = false;
    f.run([&]() -> boost::asio::awaitable<void> {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 300ms);
      co_await t.async_wait(boost::asio::use_awaitable);
      timed_out_first = soon && waited.empty();
      f.advance(400);  // the other wait goes on, and ends once its server is normal
    }());
    CHECK(timed_out_first);
    REQUIRE(soon);
    CHECK_THROWS_WITH(std::rethrow_exception(soon),
                      Catch::Contains("timed out waiting for the servers of order CS1"));
    REQUIRE(waited.size() == 1);
    CHECK(waited[0].status == 5);
  }
}
