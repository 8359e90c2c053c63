// The `server` resource: a cloud phone server bought as a yearly/monthly
// order (cph-api.md 3.4), renamed in place (3.13), released through BSS
// unsubscribe. The descriptor drives validation and diffing; the functions
// below are the only per-type code: the cloud calls and their waits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"
#include "resources/schema.h"

namespace cph::resources {

const ResourceSchema& server_schema();

// Instance names: without count the name itself; with count
// "<name>-0001", "<name>-0002", ... (index is 0-based).
std::string server_instance_name(const std::string& name, bool counted, int index);
// The inverse: "web-0003" -> ("web", 2); nullopt for other names.
std::optional<std::pair<std::string, int>> server_instance_of(const std::string& name);

// Attributes as the cloud reports them (the `readable` ones), in manifest
// terms, plus the computed ones (id, status, order_id, server_ip, public_ip).
Json server_live_attributes(const cloud::Server& server);

// Overlays the live values on recorded attributes: readable and computed
// attributes come from the cloud, the rest (not readable through the list
// API, e.g. image_id, ports) stay as recorded.
Json server_refreshed_attributes(const Json& recorded, const cloud::Server& live);

// One instance to buy: its address, final name and desired attributes.
struct ServerInstance {
  std::string address;
  std::string name;
  Json attributes;
};

// A purchase that ended without delivering every server (cph-api.md 3.4:
// the order completed but a server ended abnormal, status 2). Its outcome
// is final, so the journal entry closes with it; the servers the order did
// make (normal ones renamed, abnormal ones as they are) are to be recorded,
// so that the next plan shows them rather than losing paid servers. A
// server of the order that no longer exists (404, released by hand) has no
// result; when that is all that went wrong, `abnormal` is false and the
// purchase is settled rather than failed (OperationFailed::settled).
struct PurchaseFailed : OperationFailed {
  PurchaseFailed(const std::string& what, std::vector<InstanceResult> servers, bool abnormal);
};

// The purchase request for instances of one block (1..10 of them, same
// attributes but the name). With one instance the exact name is sent; with
// more, the block name, which the service suffixes -0001.. (3.4).
// `auto_pay`: is_auto_pay 1, the order pays itself (Payment::automatic).
cloud::PurchaseServersRequest server_purchase_request(const std::vector<ServerInstance>& instances,
                                                      const std::string& block_name, bool auto_pay = true);
// The names the service gives the servers of that request, in server_ids order.
std::vector<std::string> server_purchase_names(const cloud::PurchaseServersRequest& request);

// Buys the instances in one order: journal intent, POST, record order and
// server ids, then wait until the order completes and every server is
// normal (5), then rename any server whose name is not its instance name.
// A server that ends abnormal (2) throws PurchaseFailed; a cancelled order
// OperationFailed.
boost::asio::awaitable<std::vector<InstanceResult>> purchase_servers(cloud::CphClient& cloud,
                                                                      OperationJournal& journal,
                                                                      std::vector<ServerInstance> instances,
                                                                      std::string block_name, PollPolicy poll);

// Continues a purchase whose response was journaled but which did not
// finish (the process died while waiting): waits on the recorded order and
// server ids, then renames as above. `intent` and `response` are the
// journal's records of purchase_servers().
boost::asio::awaitable<std::vector<InstanceResult>> resume_purchase(cloud::CphClient& cloud,
                                                                     OperationJournal& journal,
                                                                     const Json& intent, const Json& response,
                                                                     PollPolicy poll);

// PUT rename (3.13), journaled. Returns the refreshed attributes.
boost::asio::awaitable<InstanceResult> rename_server(cloud::CphClient& cloud, OperationJournal& journal,
                                                     std::string address, std::string server_id,
                                                     Json attributes, std::string new_name);

struct ServerToRelease {
  std::string address;
  std::string server_id;
};
// BSS unsubscribe of the servers in one call, journaled, then waits until
// none of them is found any more (404 on detail).
boost::asio::awaitable<void> unsubscribe_servers(cloud::CphClient& cloud, OperationJournal& journal,
                                                 std::vector<ServerToRelease> servers, PollPolicy poll);
// Continues an unsubscribe whose order ids were journaled.
boost::asio::awaitable<void> resume_unsubscribe(cloud::CphClient& cloud, const Json& intent, PollPolicy poll);

}  // namespace cph::resources
