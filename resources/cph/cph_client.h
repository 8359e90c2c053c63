// Typed calls to CPH (../shared/cph-api.md sections 3-7), to KPS key pairs
// and to the BSS billing service, over an HttpTransport, signed with AK/SK.
// One CphClient per run; every call is a coroutine. JSON stays inside cloud/
// (cph_call.h and the cph_*.cc files): callers see plain structs.
//
// Reads (GET) and mutations that set a value are retried on throttling, 5xx
// and transport failures; other mutations only when the gateway throttled
// them or the connection failed before they were written (cph_call.h).
// Whether to resend anything else is the journal's decision.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cloud/call_slots.h"
#include "resources/huawei/credentials.h"
#include "cloud/http.h"
#include "cloud/service_error.h"

namespace cph::cloud {

// ---- Errors ---------------------------------------------------------------

// The service answered with a non-2xx status. Carries the parsed common error
// body (reference 1.5): error_code, error_msg, request_id, plus the API that
// failed as "METHOD /path/template" so a message can name it.
struct CloudError : std::runtime_error, ServiceError {
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
  // Throttled: 429, or the gateway's throttling code. Refused before the
  // service saw the request, so any call may be sent again.
  bool throttled() const;
  // Throttled or a 5xx: safe to retry reads and idempotent mutations.
  bool retryable() const;
  // The service refused the request and did nothing: a 4xx whose body is a
  // well-formed error (1.5) with a documented code ("CPS.0024", "APIGW.0301",
  // "CBC.0101", "KPS.0409"). The one rule for a mutation's outcome
  // (ARCHITECTURE.md decision 3): any other failure - a 5xx, a 4xx without
  // such a body, a malformed 2xx, a lost answer - leaves it unknown.
  bool refused() const override;
  std::string describe() const override;
};

// A 2xx answer whose body does not have the documented shape: not JSON, an
// error body, a required field missing or of the wrong type. Never read as
// "nothing" (a list that cannot be read is not an empty list); for a
// mutation the outcome is unknown, since the service may have carried it out.
struct MalformedAnswer : std::runtime_error, ServiceError {
  MalformedAnswer(int http_status, std::string api, std::string field, std::string problem, std::string request_id);
  // Says whether anything may have happened: a read changed nothing; a
  // mutation may have been carried out (the journal keeps it).
  std::string describe() const override;
  int http_status;
  std::string api;         // "GET /v1/{project_id}/cloud-phone/servers"
  std::string field;       // "servers[2].server_id"; "" for the body as a whole
  std::string problem;     // "is missing", "is an object, expected a String"
  std::string request_id;  // from the X-Request-Id header, when sent
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
  std::string create_time;  // UTC YYYY-MM-DDTHH:MM:SSZ
  std::string update_time;
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

// ---- Server and phone models (reference 3.3, 5.3) ----------------------------

// A phone model as 5.3 lists it (the fields the engine reads).
struct PhoneModel {
  std::string phone_model_name;
  std::string server_model_name;  // the server model it runs on
  int status = 0;                 // 1 in use, 0 offline
  int phone_capacity = 0;         // phones per server
};

// A phone as 5.1 (5.3.1) lists it (the fields the engine reads).
struct Phone {
  std::string phone_id;
  std::string phone_name;
  std::string server_id;
  std::string image_id;  // the image the phone runs: a server's image_id (3.4)
  std::string phone_model_name;
  int status = 0;  // 5.0: 2 running, 8 shut down, -5..-9 failures
};

// One phone of a 5.5/5.6/5.9 body: its id and the properties to set, the
// JSON object text the `property` string carries (10.1 keys); empty: no
// `property` sent (5.5/5.6 only; 5.9 requires it).
struct PhoneSetting {
  std::string phone_id;
  std::string property;
};

// At most this many phones per 5.5-5.9 call: the limit 5.12 states for its
// phone_ids (CPS.0209), which cphform applies to every phone batch.
inline constexpr size_t kMaxPhonesPerCall = 100;

struct ServerModel {
  std::string server_model_name;
  std::string server_type;  // "Hi1616"
  int cpu = 0;
  int memory = 0;        // GB
  int product_type = 0;  // 0 cloud phone, 1 cloud game
  int free_size = 0;     // GB
  // extend_spec (table 5-21; an object in 3.3, unlike 5.3's JSON string)
  std::string spec_cpu, spec_memory, spec_disk, spec_network_interface, spec_gpu, bms_flavor;
  int gpu_count = 0;
  int numa_count = 0;
};

// ---- Jobs (reference 1.9(a), 1.10 ServerJob, 6.1, 6.2) ----------------------

// One item of a job-producing response: either a job was started for the
// server (job_id set) or the server was refused (error_code/error_msg set,
// no job: reference 11.3's item-level errors).
struct ServerJobItem {
  std::string server_id;
  std::string phone_id;  // phone jobs (5.5-5.9: PhoneJob)
  std::string job_id;
  std::string error_code;
  std::string error_msg;
};

// Response of a job-producing call (3.5, 3.7-3.11, 6.3).
struct JobsResult {
  std::string request_id;
  std::vector<ServerJobItem> jobs;
  std::vector<std::string> job_ids() const;  // the items that started a job
};

enum class JobStatus : int { failed = -1, running = 1, succeeded = 2 };

// A job as 6.1/6.2 report it. Empty strings for absent or null fields.
struct Job {
  std::string job_id;
  std::string server_id;  // server jobs
  std::string phone_id;   // phone jobs
  int status = 0;         // JobStatus values
  std::string begin_time;
  std::string end_time;
  std::string error_code;
  std::string error_msg;
  std::string execute_msg;  // output, at most 1024 bytes
  bool finished() const { return status == 2 || status == -1; }
  bool succeeded() const { return status == 2; }
};

// At most this many request ids per 6.2 call (CPS.0161 beyond).
inline constexpr size_t kMaxRequestIdsPerJobQuery = 20;

// ---- Server changes (reference 3.5, 3.6, 3.12, 6.3) ------------------------

// Body of POST /v2/{project_id}/cloud-phone/servers/{server_id}/change (3.6,
// table 5-42): the purchase's network and bandwidth fields are required
// again; phone model and image are what the switch changes.
struct ChangeServerRequest {
  std::string phone_model_name;
  std::string image_id;
  std::optional<std::string> keypair_name;
  std::vector<Port> ports;
  std::string tenant_vpc_id;
  std::string subnet_id;  // nics[0].subnet_id
  std::string eip_type;   // public_ip.eip.type; "" sends public_ip {"count": 0} (no EIP)
  std::optional<std::string> band_width_id;
  std::optional<int> band_width_size;
  int band_width_charge_mode = 1;
  int band_width_share_type = 0;
};

struct ChangeServerResult {
  std::string request_id;
  std::string server_id;
  std::string job_id;
};

// Body of POST .../servers/change-server-model (3.12).
struct ChangeServerModelRequest {
  std::string server_id;
  std::string server_model_name;
  std::string phone_model_name;
  bool is_auto_pay = true;  // an upgrade must be paid; unattended runs pay automatically
};

struct ChangeServerModelResult {
  std::string request_id;
  std::string order_id;
  std::string product_id;
};

// One element of 6.3's `servers`.
struct ServerKeypair {
  std::string server_id;
  std::string keypair_name;
};

// ---- Shared storage and apps (reference 3.7-3.11) ---------------------------

struct PushShareAppRequest {
  std::string package_name;
  std::string bucket_name;
  std::string object_path;  // a .tar object
  bool pre_install = false;
};

// ---- Tags (reference 7.6-7.11), resource type cph-server --------------------

struct Tag {
  std::string key;
  std::string value;
};

// 7.9 resource: a server with its tags.
struct TaggedResource {
  std::string resource_id;
  std::string resource_name;
  std::vector<Tag> tags;
};

struct TaggedResourcePage {
  int total_count = 0;
  std::vector<TaggedResource> resources;
};

// 7.9 "filter" without conditions: every server of the project.
struct ResourceInstanceQuery {
  int offset = 0;
  int limit = 1000;  // 1..1000
};

// ---- KPS key pairs (not in the reference; docs/emulator.md) -----------------

struct Keypair {
  std::string name;
  std::string public_key;
  std::string fingerprint;
  std::string private_key;  // only in the answer of a create without public_key
};

// ---- Client ----------------------------------------------------------------

// One URL per service (connect.h derives them from the region). KPS and IAM
// default to the CPH endpoint, as the emulator serves all four on one address.
struct Endpoints {
  Endpoints() = default;
  Endpoints(Url cph_url, Url bss_url, Url kps_url = {}, Url iam_url = {})
      : cph(std::move(cph_url)), bss(std::move(bss_url)), kps(std::move(kps_url)), iam(std::move(iam_url)) {}
  Url cph;  // https://cph.{region}.myhuaweicloud.com or the emulator
  Url bss;  // https://bss.myhuaweicloud.com (bss-intl for international accounts) or the emulator
  Url kps;  // https://kps.{region}.myhuaweicloud.com; empty: the CPH endpoint
  Url iam;  // https://iam.{region}.myhuaweicloud.com; empty: the CPH endpoint
};

// Fresh temporary credentials (connect.h: the metadata service). The client
// asks for them before a request when its keys are due for renewal
// (credentials.h renewal_due), so a long apply outlives any one set of keys.
using CredentialRenewal = std::function<asio::awaitable<Credentials>()>;

// Requests sent, per API template ("GET /v1/{project_id}/cloud-phone/servers").
using ApiCallCounts = std::map<std::string, int64_t>;

// How calls are retried (cph_call.h has the rules of what is retried).
struct RetryPolicy {
  int max_retries = 6;                      // per call
  std::chrono::milliseconds base{200};      // backoff doubles from here, jittered to 50..100%
  std::chrono::milliseconds cap{8000};      // longest backoff of our own schedule
  double budget = 100;                      // retries per run, earned back at 0.1 per success
  // A server's Retry-After is honoured up to this (issue 18 D11: a
  // `Retry-After: 100000` must not stall a run for a day); each such wait is
  // still a retry, spending the per-call limit and the run's budget.
  std::chrono::milliseconds retry_after_cap{60000};
};

class CphClient {
 public:
  CphClient(asio::any_io_executor executor, Endpoints endpoints, Credentials credentials,
            HttpOptions options = {});
  // For tests: explicit transports.
  CphClient(std::shared_ptr<HttpTransport> cph, std::shared_ptr<HttpTransport> bss, Endpoints endpoints,
            Credentials credentials);
  ~CphClient();

  const std::string& project_id() const;
  // Before the first CPH call: the project found by list_project_ids.
  void set_project_id(std::string project_id);
  // Before the first call: how temporary credentials are renewed.
  void set_credential_renewal(CredentialRenewal renew);
  // The keys renewed so far in this run (never the keys themselves).
  int credential_renewals() const;
  // Before the first call (the budget starts full).
  void set_retry_policy(RetryPolicy policy);
  // Before the first call: at most this many requests of one API (method and
  // path template) in flight at once (-parallelism; default 10).
  void set_parallelism(int requests_per_api);

  // GET /v1/{project_id}/cloud-phone/servers (3.1): one page.
  asio::awaitable<ServerPage> list_servers(ListServersQuery query);
  // Every server, in pages of 100: N servers cost ceil(N/100) calls (at least 1).
  asio::awaitable<std::vector<Server>> list_all_servers();
  // GET /v1/{project_id}/cloud-phone/servers/{server_id} (3.2).
  asio::awaitable<Server> show_server(std::string server_id);
  // POST /v2/{project_id}/cloud-phone/servers (3.4). Resent here only when
  // it cannot have reached the service (throttled, or the connection failed
  // before it was written); after a 5xx or a lost answer, only the executor
  // re-sends it, after reconciling its journal against live servers.
  asio::awaitable<PurchaseResult> purchase_servers(PurchaseServersRequest request);
  // PUT /v1/{project_id}/cloud-phone/servers/{server_id} (3.13).
  asio::awaitable<void> rename_server(std::string server_id, std::string server_name);

  // GET /v2/orders/customer-orders/details/{order_id} (BSS).
  asio::awaitable<Order> show_order(std::string order_id);
  // POST /v3/orders/customer-orders/pay (BSS PayOrders).
  asio::awaitable<void> pay_order(std::string order_id);
  // POST /v2/orders/subscriptions/resources/unsubscribe (BSS), unsubscribe_type 1
  // (release the resources and their attached resources now).
  asio::awaitable<UnsubscribeResult> unsubscribe(std::vector<std::string> resource_ids);

  // GET /v1/{project_id}/cloud-phone/server-models (3.3); product_type 0/1 or all.
  asio::awaitable<std::vector<ServerModel>> list_server_models(std::optional<int> product_type);
  // GET /v1/{project_id}/cloud-phone/phone-models (5.3), every page.
  asio::awaitable<std::vector<PhoneModel>> list_phone_models();
  // GET /v1/{project_id}/cloud-phone/phones?server_id= (5.1), every page:
  // the phones of one server.
  asio::awaitable<std::vector<Phone>> list_server_phones(std::string server_id);
  // The same without a server: every phone of the project, pages of 200
  // asked for together after the first (refresh of [phones] blocks).
  asio::awaitable<std::vector<Phone>> list_all_phones();

  // ---- phone changes (cph_phones.cc) ----
  // GET /v1/{project_id}/cloud-phone/phones/{phone_id} (5.2): the phone's
  // `property` JSON text ("" when it has none), e.g. to check what a change set.
  asio::awaitable<std::string> show_phone_property(std::string phone_id);
  // PUT /v1/{project_id}/cloud-phone/phones/{phone_id} (5.8): synchronous;
  // returns the request_id.
  asio::awaitable<std::string> rename_phone(std::string phone_id, std::string phone_name);
  // POST .../phones/batch-update-property (5.9): one job per phone.
  asio::awaitable<JobsResult> update_phone_properties(std::vector<PhoneSetting> phones);
  // POST .../phones/batch-restart (5.6; also starts a stopped phone), with
  // the properties to set on the way (empty `property`: none sent).
  asio::awaitable<JobsResult> restart_phones(std::vector<PhoneSetting> phones);
  // POST .../phones/batch-stop (5.7).
  asio::awaitable<JobsResult> stop_phones(std::vector<std::string> phone_ids);
  // POST .../phones/batch-reset (5.5): factory state, with the properties.
  asio::awaitable<JobsResult> reset_phones(std::vector<PhoneSetting> phones);

  // ---- bandwidths (cph_bandwidths.cc) ----
  // GET /v1/{project_id}/cloud-phone/bandwidths (4.1): one page (limit 1..100).
  asio::awaitable<std::vector<BandWidthInfo>> list_bandwidths(int offset, int limit);
  // Every bandwidth, in pages of 100 (4.1 has no count: stops at a short page).
  asio::awaitable<std::vector<BandWidthInfo>> list_all_bandwidths();
  // PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id} (4.2); shared
  // bandwidths only; synchronous. Returns the request_id.
  asio::awaitable<std::string> resize_bandwidth(std::string band_width_id, int band_width_size);

  // ---- server changes (cph_server_changes.cc) ----
  // POST /v1/{project_id}/cloud-phone/servers/batch-restart (3.5).
  asio::awaitable<JobsResult> restart_servers(std::vector<std::string> server_ids);
  // POST /v2/{project_id}/cloud-phone/servers/{server_id}/change (3.6): one job.
  asio::awaitable<ChangeServerResult> change_server(std::string server_id, ChangeServerRequest request);
  // POST /v1/{project_id}/cloud-phone/servers/change-server-model (3.12): a BSS order.
  asio::awaitable<ChangeServerModelResult> change_server_model(ChangeServerModelRequest request);
  // PUT /v1/{project_id}/cloud-phone/servers/open-access (6.3): one job per server.
  asio::awaitable<JobsResult> change_keypairs(std::vector<ServerKeypair> servers);

  // ---- shared storage and apps (cph_share.cc); one job per server ----
  // POST /v1/{project_id}/cloud-phone/phones/share-files (3.7).
  asio::awaitable<JobsResult> push_share_files(std::string bucket_name, std::string object_path,
                                               std::vector<std::string> server_ids);
  // POST /v1/{project_id}/cloud-phone/phones/share-files with file_paths (3.9:
  // the method the reference prints, A-5).
  asio::awaitable<JobsResult> delete_share_files(std::vector<std::string> file_paths,
                                                 std::vector<std::string> server_ids);
  // GET /v1/{project_id}/cloud-phone/servers/share-files (3.8); the listing is
  // in each job's execute_msg.
  asio::awaitable<JobsResult> query_share_files(std::string path, std::vector<std::string> server_ids);
  // POST /v1/{project_id}/cloud-phone/phones/share-apps (3.10).
  asio::awaitable<JobsResult> push_share_apps(PushShareAppRequest request, std::vector<std::string> server_ids);
  // DELETE /v1/{project_id}/cloud-phone/phones/share-apps with a JSON body (3.11).
  asio::awaitable<JobsResult> delete_share_apps(std::string package_name, std::vector<std::string> server_ids);

  // ---- jobs (cph_jobs.cc) ----
  // GET /v1/{project_id}/cloud-phone/jobs/{job_id} (6.1).
  asio::awaitable<Job> show_job(std::string job_id);
  // GET /v1/{project_id}/cloud-phone/jobs?request_ids=a,b (6.2): one page of
  // the jobs of 1..20 requests (request_id= when there is one). Jobs do not
  // name their request: attribute them by job_id.
  asio::awaitable<std::vector<Job>> list_jobs(std::vector<std::string> request_ids, int offset, int limit);
  // Every page of list_jobs (limit 100): 1..20 request ids.
  asio::awaitable<std::vector<Job>> list_all_jobs(std::vector<std::string> request_ids);

  // ---- tags, resource type cph-server (cph_tags.cc) ----
  // GET /v1/{project_id}/cph-server/{server_id}/tags (7.8).
  asio::awaitable<std::vector<Tag>> list_server_tags(std::string server_id);
  // POST /v1/{project_id}/cph-server/{server_id}/tags/action, action create
  // (7.10; upserts by key) or delete (7.11). Synchronous, 204.
  asio::awaitable<void> create_server_tags(std::string server_id, std::vector<Tag> tags);
  asio::awaitable<void> delete_server_tags(std::string server_id, std::vector<Tag> tags);
  // POST /v1/{project_id}/cph-server/resource_instances/action (7.9), filter
  // without conditions: one page of servers with their tags.
  asio::awaitable<TaggedResourcePage> list_tagged_servers(ResourceInstanceQuery query);
  // The tags of every server, in pages of 1000: a refresh of N servers costs
  // ceil(N/1000) calls, not N. Servers without tags are included.
  asio::awaitable<std::vector<TaggedResource>> list_all_server_tags();

  // ---- KPS key pairs (cph_keypairs.cc) ----
  // POST /v3/{project_id}/keypairs; without public_key the service generates
  // the pair and returns private_key this once.
  asio::awaitable<Keypair> create_keypair(std::string name, std::optional<std::string> public_key);
  // GET /v3/{project_id}/keypairs (never private keys).
  asio::awaitable<std::vector<Keypair>> list_keypairs();
  // DELETE /v3/{project_id}/keypairs/{name}.
  asio::awaitable<void> delete_keypair(std::string name);

  // ---- IAM (cph_iam.cc) ----
  // GET /v3/projects?name={region} (cph-api.md 1.7): the ids of the projects
  // of that name, in the order IAM lists them (none when the account has no
  // project in the region).
  asio::awaitable<std::vector<std::string>> list_project_ids(std::string region);

  ApiCallCounts call_counts() const;

 private:
  // Every page of 5.1, of one server's phones or (server_id empty) all,
  // pages of 200 (its maximum limit).
  asio::awaitable<std::vector<Phone>> list_phones(std::string server_id, int max_pages, bool ask_together);
  // POST /v1/{project_id}/cloud-phone/phones/{action} (5.5, 5.6, 5.7, 5.9)
  // with `body` (JSON text): the batch phone calls, one job per phone.
  asio::awaitable<JobsResult> post_phone_batch(std::string action, std::string body);

  struct Impl;  // the call machinery, cph_call.h (internal to cloud/)
  std::unique_ptr<Impl> impl_;
};

}  // namespace cph::cloud
