// Shared apps and shared-storage files pushed to (or deleted from) many
// servers (cph-api.md 3.7-3.11). Each call answers one job per server;
// batches larger than kMaxServersPerBatch are split into several calls, each
// journaled before it is sent (operation below; idempotency: the fields of
// the call and its servers) with {request_id, jobs} recorded on arrival.
// Then every job is awaited through the run's JobPoller. One ItemOutcome per
// server, in the order given: an item refused in the answer or a failed job
// gives "CPS.xxxx message"; a request-level error throws CloudError.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/cph/job_poller.h"
#include "resources/operation.h"
#include "resources/cph/server_jobs.h"

namespace cph::resources {

// An app package (a .tar object in OBS) for the servers' shared-app storage.
struct ShareApp {
  std::string package_name;  // 3.11 rule: letters, digits, '_' and '.', with a '.'
  std::string bucket;        // OBS bucket, 3-63 of a-z 0-9 - .
  std::string object;        // OBS object path of the .tar
  bool pre_install = false;  // pre_install_app 1
};

// 3.10, operation "push_share_app".
boost::asio::awaitable<std::vector<ItemOutcome>> push_share_app(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                                OperationJournal& journal, std::string address,
                                                                ShareApp app, std::vector<ServerRef> servers);

// 3.11 (DELETE with a body), operation "delete_share_app".
boost::asio::awaitable<std::vector<ItemOutcome>> delete_share_app(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                                  OperationJournal& journal, std::string address,
                                                                  std::string package_name,
                                                                  std::vector<ServerRef> servers);

// 3.7: unpacks the .tar object into /data or /cache, operation "push_share_file".
boost::asio::awaitable<std::vector<ItemOutcome>> push_share_file(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                                 OperationJournal& journal, std::string address,
                                                                 std::string bucket, std::string object,
                                                                 std::vector<ServerRef> servers);

// 3.9: deletes absolute paths of the shared storage, operation "delete_share_file".
boost::asio::awaitable<std::vector<ItemOutcome>> delete_share_file(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                                   OperationJournal& journal, std::string address,
                                                                   std::vector<std::string> file_paths,
                                                                   std::vector<ServerRef> servers);

}  // namespace cph::resources
