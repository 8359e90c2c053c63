// Typed calls to CPH (../shared/cph-api.md sections 3-7) and to the BSS
// billing service, over an HttpTransport, signed with AK/SK. One CphClient per
// run; every call is a coroutine. JSON stays inside cph_client.cc: callers see
// plain structs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cloud/credentials.h"
#include "cloud/http.h"

namespace cph::cloud {

// ---- Errors ---------------------------------------------------------------

// The service answered with a non-2xx status. Carries the parsed common error
// body (reference 1.5): error_code, error_msg, request_id, plus the API that
// failed as "METHOD /path/template" so a message can name it.
struct CloudError : std::runtime_error {
  CloudError(int http_status, std::string error_code, std::string error_msg, std::string request_id,
             std::string api, std::string body);
  int http_status;
  std::string error_code;  // "CPS.0024", "APIGW.0301", "CBC.0101", or "" when the body had none
  std::string error_msg;
  std::string request_id;
  std::string api;         // "POST /v2/{project_id}/cloud-phone/servers"
  std::string body;        // raw response body (never contains credentials)
  // Meaning of error_code from the reference's table (section 9), or "".
  std::string meaning() const;
  // Throttled (429, or an APIGW throttling code) or a 5xx: safe to retry reads.
  bool retryable() const;
};

// ---- CPH servers (reference 3.1, 3.2, 3.4, 3.13) ---------------------------

struct Address {
  std::string server_ip;  // private IP (new field)
  std::string public_ip;  // public IP (new field)
};

struct BandWidthInfo {  // reference 1.10 "Bandwidth"
  std::string band_width_id;
  std::string band_width_name;
  int band_width_size = 0;
  int band_width_charge_mode = 0;  // 0 bandwidth, 1 traffic
  int band_width_share_type = 0;   // 0 dedicated (per), 1 shared (whole)
};

// Server as returned by list (5.1.1) and detail (5.1.2). Detail-only fields
// are empty when read from the list.
struct Server {
  std::string server_id;
  std::string server_name;
  std::string server_model_name;
  std::string phone_model_name;
  std::string keypair_name;
  int status = 0;  // 0,1,3,4 creating; 2 abnormal; 5 normal; 8 frozen; 10 shut down; ...
  std::string vpc_id;
  std::string subnet_id;
  std::string availability_zone;
  std::string network_version;
  std::string order_id;    // metadata.order_id (A-7: treated as the order ID)
  std::string product_id;  // metadata.product_id
  std::vector<Address> addresses;
  std::vector<BandWidthInfo> band_widths;  // detail only
  std::string create_time;
  std::string update_time;
};

// Server status groups of reference 3.1.
bool server_status_creating(int status);  // 0, 1, 3, 4

struct ServerPage {
  int count = 0;  // total matching the filter, not the page size
  std::vector<Server> servers;
};

struct ListServersQuery {
  int offset = 0;
  int limit = 100;  // 1..100 (reference 3.1)
  std::optional<std::string> server_name;  // fuzzy match on the service side
  std::optional<std::string> server_id;
};

struct Port {
  std::string name;
  int listen_port = 0;
  bool internet_accessible = false;  // sent as the string "true"/"false" (reference 1.10)
};

// Body of POST /v2/{project_id}/cloud-phone/servers (reference 3.4).
struct PurchaseServersRequest {
  std::string server_name;
  std::string server_model_name;
  std::string phone_model_name;
  std::string image_id;
  int count = 1;  // 1..10
  std::optional<std::string> keypair_name;
  std::vector<Port> ports;
  // extend_param (charging_mode is always 0, yearly/monthly)
  int period_type = 2;  // 2 month, 3 year
  int period_num = 1;
  bool is_auto_pay = true;
  bool is_auto_renew = false;
  std::string tenant_vpc_id;
  std::string subnet_id;  // nics[0].subnet_id
  std::string eip_type;   // public_ip.eip.type: 5_telcom, 5_union, 5_bgp, 5_sbgp
  // band_width
  std::optional<std::string> band_width_id;
  std::optional<int> band_width_size;
  int band_width_charge_mode = 1;  // 0 bandwidth, 1 traffic
  int band_width_share_type = 0;   // 0 dedicated, 1 shared
  std::optional<std::string> availability_zone;
};

struct PurchaseResult {
  std::string request_id;
  std::string order_id;
  std::string product_id;
  std::vector<std::string> server_ids;
};

// ---- BSS orders ------------------------------------------------------------

// BSS order status codes (Huawei BSS "query order details"): see docs/emulator.md.
enum class OrderStatus : int {
  pending_approval = 1,
  processing = 3,
  cancelled = 4,
  completed = 5,
  pending_payment = 6,
  to_be_confirmed = 9,
};

struct Order {
  std::string order_id;
  int status = 0;      // OrderStatus values
  int order_type = 0;  // 1 new purchase, 2 renewal, 3 change, 4 unsubscribe
  std::string create_time;
  std::string payment_time;
};

struct UnsubscribeResult {
  std::vector<std::string> order_ids;
};

// ---- Client ----------------------------------------------------------------

struct Endpoints {
  Url cph;  // https://cph.{region}.myhuaweicloud.com or the emulator
  Url bss;  // https://bss.myhuaweicloud.com or the emulator
};

// Requests sent, per API template ("GET /v1/{project_id}/cloud-phone/servers").
using ApiCallCounts = std::map<std::string, int64_t>;

class CphClient {
 public:
  CphClient(asio::any_io_executor executor, Endpoints endpoints, Credentials credentials,
            HttpOptions options = {});
  // For tests: explicit transports.
  CphClient(std::shared_ptr<HttpTransport> cph, std::shared_ptr<HttpTransport> bss, Endpoints endpoints,
            Credentials credentials);
  ~CphClient();

  const std::string& project_id() const;

  // GET /v1/{project_id}/cloud-phone/servers (3.1): one page.
  asio::awaitable<ServerPage> list_servers(ListServersQuery query);
  // Every server, in pages of 100: N servers cost ceil(N/100) calls (at least 1).
  asio::awaitable<std::vector<Server>> list_all_servers();
  // GET /v1/{project_id}/cloud-phone/servers/{server_id} (3.2).
  asio::awaitable<Server> show_server(std::string server_id);
  // POST /v2/{project_id}/cloud-phone/servers (3.4). Never retried here: a
  // purchase is only re-sent by the executor after reconciling its journal.
  asio::awaitable<PurchaseResult> purchase_servers(PurchaseServersRequest request);
  // PUT /v1/{project_id}/cloud-phone/servers/{server_id} (3.13).
  asio::awaitable<void> rename_server(std::string server_id, std::string server_name);

  // GET /v2/orders/customer-orders/details/{order_id} (BSS).
  asio::awaitable<Order> show_order(std::string order_id);
  // POST /v2/orders/customer-orders/pay (BSS).
  asio::awaitable<void> pay_order(std::string order_id);
  // POST /v2/orders/subscriptions/resources/unsubscribe (BSS), unsubscribe_type 1
  // (release the resources and their attached resources now).
  asio::awaitable<UnsubscribeResult> unsubscribe(std::vector<std::string> resource_ids);

  ApiCallCounts call_counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cph::cloud
