// JobPoller: waits for the jobs of many job-producing requests (cph-api.md
// 1.9(a)) with one shared polling loop, so that N concurrent waits cost
// ceil(N / 20) list calls per round instead of N (ARCHITECTURE decision 2).
//
// One JobPoller per run, used from the run's (single-threaded) io_context.
// Each wait() registers its request and suspends; one polling coroutine,
// started by the first wait and ending when nothing is left to wait for,
// calls GET /v1/{project_id}/cloud-phone/jobs?request_ids=a,b,... (6.2) with
// up to 20 request ids per call (plus further pages of 100 jobs), and wakes
// exactly the waiters whose requests have every job finished (status 2
// success or -1 failed). A failed job is a result, not an exception: the
// caller reads status, error_code and error_msg per job.
//
// Interval: starts at `initial`, grows by `factor` (up to `max`) each round in
// which no job changed status, and is reset to `initial` by any progress and
// by a new request (whose first poll then comes at most `initial` later).
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"

namespace cph::cloud {

// Its pace: initial, max and factor of the engine's one backoff rule
// (resources::next_poll_interval, which order waits use too).
using JobPollOptions = resources::PollPolicy;

class JobPoller {
 public:
  explicit JobPoller(CphClient& client, JobPollOptions options = {});
  // Waits still pending are woken with an error (std::runtime_error).
  ~JobPoller();
  JobPoller(const JobPoller&) = delete;
  JobPoller& operator=(const JobPoller&) = delete;

  // Suspends until every job of the request finished; returns them in the
  // order of `job_ids`. `job_ids` are the ids the job-creating response
  // carried (JobsResult::job_ids()); none (every item refused) returns at
  // once without a call. This is the form to use: jobs listed by 6.2 do not
  // name their request, so the poller attributes them by id.
  asio::awaitable<std::vector<Job>> wait(std::string request_id, std::vector<std::string> job_ids);

  // The same for a request whose job ids are not known (e.g. only its
  // request_id was journaled): the poller learns them from its first
  // listing, in which such a request shares a call only with requests of
  // known jobs (so jobs can be told apart); afterwards it is batched like
  // the others. Returns them in listing order. A request that has no jobs
  // (CPS.0050) fails with that CloudError.
  asio::awaitable<std::vector<Job>> wait(std::string request_id);

  // Stops polling for good: every wait in progress, and any later one, ends
  // with `error` (the run's Interrupted on Ctrl-C). The requests stay
  // journaled by their callers.
  void stop(std::exception_ptr error);

  // Poll rounds made and 6.2 calls sent so far (for tests and progress).
  int64_t rounds() const;
  int64_t calls() const;

 private:
  struct State;  // shared with the polling coroutine, which may outlive a wait
  std::shared_ptr<State> state_;
};

}  // namespace cph::cloud
