// JobPoller against the in-process emulator with a frozen clock: one shared
// loop, at most ceil(open requests / 20) list calls per round (counted by the
// emulator's own statistics), exactly the finished requests woken, failed
// jobs returned as results, unknown job ids learned, adaptive interval.
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "resources/cph/emulator_fixture.h"
#include "resources/cph/job_poller.h"

using namespace cph::cloud;
using namespace cph::cloud::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

const std::string kListJobs = "GET /v1/{project_id}/cloud-phone/jobs";

struct Waited {
  std::vector<Job> jobs;
  bool done = false;
  std::string error;
};

asio::awaitable<void> wait_one(JobPoller& poller, std::string request_id, std::vector<std::string> job_ids,
                               Waited& out) {
  try {
    if (job_ids.empty())
      out.jobs = co_await poller.wait(request_id);
    else
      out.jobs = co_await poller.wait(request_id, job_ids);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.done = true;
}

asio::awaitable<void> sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Suspends until the poller has made `n` more rounds.
asio::awaitable<void> rounds_pass(JobPoller& poller, int64_t n) {
  const int64_t target = poller.rounds() + n;
  while (poller.rounds() < target) co_await sleep(1ms);
}

size_t count_done(const std::vector<Waited>& w, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; ++i) n += w[i].done ? 1 : 0;
  return n;
}

JobPollOptions fast() {
  JobPollOptions o;
  o.initial = 5ms;
  o.max = 20ms;
  o.factor = 2;
  return o;
}

}  // namespace

TEST_CASE("job poller: one loop, ceil(N/20) calls per round, wakes exactly the finished", "[cloud][jobs]") {
  EmulatorFixture f;
  const std::vector<std::string> servers = f.buy_servers(2);
  // 15 push-files requests (10 s jobs) and 10 restarts (60 s jobs): 25 open
  // requests, i.e. 2 list calls per round.
  std::vector<JobsResult> requests;
  for (int i = 0; i < 15; ++i) requests.push_back(f.run(f.client().push_share_files("bucket", "a.tar", servers)));
  for (int i = 0; i < 10; ++i) requests.push_back(f.run(f.client().restart_servers(servers)));
  for (const JobsResult& r : requests) REQUIRE(r.job_ids().size() == 2);

  JobPoller poller(f.client(), fast());
  std::vector<Waited> waited(requests.size());
  for (size_t i = 0; i < requests.size(); ++i)
    asio::co_spawn(f.io, wait_one(poller, requests[i].request_id, requests[i].job_ids(), waited[i]), asio::detached);

  auto drive = [&]() -> asio::awaitable<void> {
    const int64_t served_before = f.served(kListJobs);
    co_await rounds_pass(poller, 4);
    // Nothing finished: the frozen clock has not moved.
    CHECK(count_done(waited, 0, waited.size()) == 0);
    const int64_t rounds = poller.rounds();
    const int64_t served = f.served(kListJobs) - served_before;
    // One call may be in flight: sent (counted by the emulator), not yet answered.
    CHECK(poller.calls() <= served);
    CHECK(served <= poller.calls() + 1);
    CHECK(served <= rounds * 2);  // ceil(25 / 20) per round, 50 jobs fit one page each
    CHECK(served >= (rounds - 1) * 2);

    f.advance(11);  // the push jobs end, the restarts still run
    co_await rounds_pass(poller, 3);  // the 3rd starts after a whole round saw the clock moved
    CHECK(count_done(waited, 0, 15) == 15);
    CHECK(count_done(waited, 15, 25) == 0);
    // 10 open requests left: one call per round.
    const int64_t mark = f.served(kListJobs);
    const int64_t mark_rounds = poller.rounds();
    co_await rounds_pass(poller, 3);
    CHECK(f.served(kListJobs) - mark <= poller.rounds() - mark_rounds + 1);

    f.advance(60);
  };
  f.run(drive());  // returns once every waiter (and the loop) finished
  for (size_t i = 0; i < waited.size(); ++i) {
    INFO("request " << i);
    REQUIRE(waited[i].done);
    CHECK(waited[i].error.empty());
    REQUIRE(waited[i].jobs.size() == 2);
    CHECK(waited[i].jobs[0].job_id == requests[i].job_ids()[0]);  // in the order given
    for (const Job& j : waited[i].jobs) CHECK(j.succeeded());
  }
}

TEST_CASE("job poller: failed jobs are results; unknown job ids are learned; nothing to wait for", "[cloud][jobs]") {
  EmulatorFixture f;
  const std::vector<std::string> servers = f.buy_servers(1);
  JobsResult ok = f.run(f.client().push_share_files("bucket", "a.tar", servers));
  JobsResult unknown_ids = f.run(f.client().push_share_files("bucket", "b.tar", servers));
  f.set_faults(nlohmann::json{{"job_failure_rate", 1.0}});
  JobsResult failing = f.run(f.client().push_share_files("bucket", "c.tar", servers));
  f.set_faults(nlohmann::json::object());

  JobPoller poller(f.client(), fast());
  // All items refused: returns at once, no call.
  const std::vector<std::string> no_ids;
  std::vector<Job> none = f.run(poller.wait("0123456789abcdef0123456789abcdef", no_ids));
  CHECK(none.empty());
  CHECK(poller.calls() == 0);

  std::vector<Waited> waited(4);
  asio::co_spawn(f.io, wait_one(poller, ok.request_id, ok.job_ids(), waited[0]), asio::detached);
  asio::co_spawn(f.io, wait_one(poller, unknown_ids.request_id, no_ids, waited[1]), asio::detached);
  asio::co_spawn(f.io, wait_one(poller, failing.request_id, failing.job_ids(), waited[2]), asio::detached);
  asio::co_spawn(f.io, wait_one(poller, "ffffffffffffffffffffffffffffffff", no_ids, waited[3]), asio::detached);
  auto drive = [&]() -> asio::awaitable<void> {
    co_await rounds_pass(poller, 3);
    CHECK(count_done(waited, 0, 3) == 0);
    CHECK(waited[3].done);  // a request with no jobs at all: CPS.0050
    f.advance(11);
  };
  f.run(drive());
  CHECK(waited[3].error.find("CPS.0050") != std::string::npos);
  REQUIRE(waited[0].jobs.size() == 1);
  CHECK(waited[0].jobs[0].succeeded());
  REQUIRE(waited[1].jobs.size() == 1);
  CHECK(waited[1].jobs[0].job_id == unknown_ids.job_ids()[0]);
  CHECK(waited[1].jobs[0].succeeded());
  REQUIRE(waited[2].jobs.size() == 1);
  CHECK(waited[2].jobs[0].status == -1);
  CHECK(waited[2].jobs[0].error_code == "CPS.0260");
  CHECK_FALSE(waited[2].jobs[0].error_msg.empty());
}

TEST_CASE("job poller: backs off while nothing changes", "[cloud][jobs]") {
  EmulatorFixture f;
  const std::vector<std::string> servers = f.buy_servers(1);
  JobsResult r = f.run(f.client().restart_servers(servers));
  JobPollOptions o;
  o.initial = 5ms;
  o.max = 80ms;
  o.factor = 2;
  JobPoller poller(f.client(), o);
  Waited w;
  asio::co_spawn(f.io, wait_one(poller, r.request_id, r.job_ids(), w), asio::detached);
  auto drive = [&]() -> asio::awaitable<void> {
    co_await sleep(500ms);
    // 5+10+20+40+80+80+80+80... ms: about 9 rounds, not the 100 of a fixed 5 ms.
    CHECK(poller.rounds() >= 5);
    CHECK(poller.rounds() <= 12);
    f.advance(61);
  };
  f.run(drive());
  REQUIRE(w.done);
  CHECK(w.jobs.size() == 1);
}
