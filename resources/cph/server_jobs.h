// Batch operations on many servers that answer one job per server
// (cph-api.md 1.9(a): 3.7-3.11 share files/apps, 6.3 open-access), as the
// resource operations run them: split into calls the API accepts, each call
// journaled before it is sent and its ids recorded on arrival, then every
// job awaited through the run's JobPoller, with one outcome per server.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/cph/job_poller.h"
#include "resources/operation.h"

namespace cph::resources {

// A server instance as the engine knows it: its resource address and cloud id.
struct ServerRef {
  std::string address;
  std::string server_id;
};

// What happened to one server of a batch. `error` is empty when its job
// succeeded, else "CPS.xxxx message": the item refused in the response
// (reference 11.3, item-level) or the job's error_code/error_msg (status -1).
struct ItemOutcome {
  std::string address;
  std::string server_id;
  std::string error;
};

// Servers per batch call. The reference documents no maximum for these
// calls but has CPS.0096 "too many servers"; the emulator refuses more
// than 100, the largest batch the reference documents elsewhere (5.3.12).
inline constexpr size_t kMaxServersPerBatch = 100;

// Sends one batch call for the given server ids (one chunk).
using SendServerJobs = std::function<boost::asio::awaitable<cloud::JobsResult>(std::vector<std::string> server_ids)>;

// Splits `servers` into chunks of kMaxServersPerBatch; for each chunk:
// journal.intent(address, operation, body + its server_ids, idempotency +
// its servers), send, journal.answered(entry, {"request_id", "jobs": [{server_id,
// job_id | error_code, error_msg}]}). Then waits for every job and returns one
// outcome per server, in the order of `servers`. A request-level error
// (CloudError) of a chunk propagates: later chunks are not sent.
boost::asio::awaitable<std::vector<ItemOutcome>> run_server_jobs(cloud::JobPoller& poller, OperationJournal& journal,
                                                                 std::string address, std::string operation,
                                                                 Json body, Json idempotency,
                                                                 std::vector<ServerRef> servers, SendServerJobs send);

// "addr" for one server, "first..last" for several (as server.cc names groups).
std::string group_address(const std::vector<ServerRef>& servers);

}  // namespace cph::resources
