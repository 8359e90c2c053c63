// In-place updates of existing servers, as the engine's update steps call
// them. Each mutating call is journaled before it is sent
// (journal.intent) and the ids of its answer recorded on arrival
// (journal.answered); then the operation waits until the change is done.
//
//   change_server_model  3.12  a BSS order; waits for the order and the detail
//   switch_server        3.6   one job (phones re-created, user data lost)
//   change_keypair       6.3   one job per server, per-server outcomes
//   update_server_tags   7.10/7.11  synchronous
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/cph/job_poller.h"
#include "resources/operation.h"
#include "resources/cph/server_jobs.h"

namespace cph::resources {

// 3.12: orders the change of server model (and its phone model, which must
// fit the target and have the same phone count), paying automatically, and
// waits until the order completed and the detail (3.2) shows
// server_model_name == server_model. Journal: operation "change_server_model",
// answered {request_id, order_id, product_id}. Throws when the order is
// cancelled, waits for payment (is_auto_pay failed), or `poll.timeout` passes.
boost::asio::awaitable<void> change_server_model(cloud::CphClient& cloud, OperationJournal& journal,
                                                 std::string address, std::string server_id,
                                                 std::string server_model, std::string phone_model, PollPolicy poll);

// 3.6: replaces the server's hardware with a new image and/or phone model
// (phone_model empty = the current one). image_id is required: 3.6 requires
// it and the current image is not readable from the server detail, so the
// engine passes the desired (recorded) one. The other required fields of
// 3.6 (VPC, subnet, bandwidth, key pair) are taken from the server detail so
// that they stay as they are; a server with a public IP asks for a 5_bgp EIP
// (the manifest's default eip_type: the detail does not tell the line type).
// Ports are not readable either and are not sent. Journal: operation
// "switch", answered {request_id, server_id, job_id}. Waits for the job;
// throws with its error_code/error_msg when it fails.
boost::asio::awaitable<void> switch_server(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                           OperationJournal& journal, std::string address, std::string server_id,
                                           std::string image_id, std::string phone_model);

// 6.3: sets the key pair of many servers (split into calls of at most
// kMaxServersPerBatch). Journal: operation "change_keypair" per call, address
// "first..last". One outcome per server, in order.
boost::asio::awaitable<std::vector<ItemOutcome>> change_keypair(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                                OperationJournal& journal,
                                                                std::vector<ServerRef> servers,
                                                                std::string keypair_name);

// 7.10/7.11: before/after are JSON objects key -> string value. Deletes the
// keys removed or changed (with their old values), then creates the keys
// added or changed: one call per direction, none when it has nothing to do.
// Journal: operations "delete_tags" / "create_tags", answered {server_id}.
boost::asio::awaitable<void> update_server_tags(cloud::CphClient& cloud, OperationJournal& journal,
                                                std::string address, std::string server_id, Json before,
                                                Json after);

}  // namespace cph::resources
