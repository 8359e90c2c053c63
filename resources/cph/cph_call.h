// Internal to cloud/: the call machinery of CphClient, shared by the
// translation units that implement its API families (cph_client.cc for
// servers and BSS, cph_bandwidths.cc, cph_jobs.cc, ...). The machinery itself
// (signing, sending, retries, errors) is defined once, in cph_client.cc, so
// that limits on it (retry budgets, rate limits) have one place to live.
// Never included outside cloud/; the JSON library stays behind this header.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/call_slots.h"
#include "resources/cph/cph_client.h"

namespace cph::cloud::detail {

using nlohmann::json;
using nlohmann::ordered_json;  // request bodies keep the reference's field order

enum class Service { cph, bss, kps, iam };

// One API call as the client makes it: template for errors and counting,
// concrete encoded path/query, optional JSON body.
struct Call {
  Service service;
  std::string method;
  std::string api;    // "GET /v1/{project_id}/cloud-phone/servers"
  std::string path;   // encoded, without the endpoint's base path
  std::string query;  // encoded, without '?'
  std::optional<std::string> body;
  // A mutation whose resending cannot do anything twice (it sets a value:
  // rename, resize, tags, key pair binding): retried like a read after a 5xx
  // or a lost answer. Other mutations are only resent after a throttling
  // refusal, which the gateway gives before the service sees the request.
  bool idempotent = false;
};

// The run's allowance of retries (issue 5 "Retries"): each retry spends a
// token, each success earns back a tenth of one, up to the initial `tokens`.
// When a cloud is failing most calls, retrying harder only deepens its
// trouble and hides ours: the run fails fast instead.
class RetryBudget {
 public:
  explicit RetryBudget(double tokens = 100) : tokens_(tokens), max_(tokens) {}
  bool spend() {
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }
  void earn() { tokens_ = std::min(max_, tokens_ + 0.1); }

 private:
  double tokens_;
  double max_;
};

// ---- reading 2xx answers against their documented shape ----
// A JSON value of an answer and where it sits ("servers[3].metadata"): every
// accessor checks the field it reads and throws MalformedAnswer naming the
// API and the field, so a body that is not what the reference documents is
// an error, never an empty or partial result (a list that cannot be read is
// not an empty list). The tolerances of cph-api.md 11.1 stay: an optional
// String may be null or absent or arrive as a number (imei), an
// Integer may arrive as a decimal string, unknown fields are ignored.
class Answer {
 public:
  // The body of a 2xx answer to `c`: it must be a JSON object.
  static Answer of(const HttpResponse& r, const Call& c);

  std::string id(const char* key) const;        // required, a non-empty String
  std::string text(const char* key) const;      // required String (may be "" or null: A-19)
  std::string opt_text(const char* key) const;  // "" when absent or null
  int integer(const char* key) const;           // required Integer
  int opt_integer(const char* key) const;       // 0 when absent or null
  Answer object(const char* key) const;         // required object
  Answer opt_object(const char* key) const;     // an empty object when absent or null
  std::vector<Answer> objects(const char* key) const;      // required array of objects
  std::vector<Answer> opt_objects(const char* key) const;  // [] when absent or null
  std::vector<std::string> ids(const char* key) const;     // required array of non-empty Strings
  // A rule across fields (e.g. "server_ids has 2 ids for count 3").
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

 private:
  struct Source;
  Answer(std::shared_ptr<const Source> source, const json* node, std::string path);
  const json* find(const char* key) const;  // nullptr when absent or null
  std::string field(const std::string& key) const;
  std::shared_ptr<const Source> source_;
  const json* node_;
  std::string path_;
};

// ---- building requests ----
std::string encode(std::string_view s);  // percent-encoding of the signer
// Compact JSON; a string that is not valid UTF-8 throws invalid_argument
// naming the call instead of sending a mangled value.
std::string to_body(const ordered_json& body, const std::string& api);

// `ports` of 3.4 and 3.6 (1.10): internet_accessible is sent as a string.
ordered_json ports_body(const std::vector<Port>& ports);
void add_query(std::string& q, std::string_view key, std::string_view value);

// tenant_vpc_id, nics, public_ip and band_width as purchase (3.4) and switch
// (3.6) both send them, from a request with the fields of those names.
// `no_eip` is public_ip without an EIP type: {} for 3.4, {"count": 0} for 3.6.
template <typename Request>
void add_network(ordered_json& body, const Request& p, ordered_json no_eip) {
  body["tenant_vpc_id"] = p.tenant_vpc_id;
  ordered_json nic;
  nic["subnet_id"] = p.subnet_id;
  body["nics"] = ordered_json::array({std::move(nic)});
  ordered_json public_ip = std::move(no_eip);
  if (!p.eip_type.empty()) public_ip = {{"eip", {{"type", p.eip_type}}}};
  body["public_ip"] = std::move(public_ip);
  ordered_json bw;
  bw["band_width_share_type"] = p.band_width_share_type;
  bw["band_width_charge_mode"] = p.band_width_charge_mode;
  if (p.band_width_size) bw["band_width_size"] = *p.band_width_size;
  if (p.band_width_id) bw["band_width_id"] = *p.band_width_id;
  body["band_width"] = std::move(bw);
}
// Reference 1.9(a)/1.10 ServerJob items of a job-producing response.
JobsResult parse_jobs_result(const Answer& a);
BandWidthInfo parse_bandwidth(const Answer& a);

}  // namespace cph::cloud::detail

namespace cph::cloud {

struct CphClient::Impl {
  std::shared_ptr<HttpTransport> cph;
  std::shared_ptr<HttpTransport> bss;
  std::shared_ptr<HttpTransport> kps;
  std::shared_ptr<HttpTransport> iam;
  Endpoints endpoints;
  Credentials credentials;  // guarded by mutex once calls run (renewal replaces the keys)
  CredentialRenewal renew;
  int64_t credentials_fetched_at = 0;  // epoch seconds
  bool renewing = false;
  int renewals = 0;

  mutable std::mutex mutex;  // guards counts, rng and budget
  ApiCallCounts counts;
  std::mt19937_64 rng{std::random_device{}()};
  RetryPolicy retry_policy;
  detail::RetryBudget budget{retry_policy.budget};
  int parallelism = kDefaultParallelism;
  std::map<std::string, std::unique_ptr<CallSlots>> slots;  // by API template

  // One attempt, within the API's slots (call_slots.h).
  asio::awaitable<HttpResponse> send_in_slot(const detail::Call& c);

  void count(const std::string& api);
  std::chrono::milliseconds backoff(int retry, const std::string& retry_after);
  asio::awaitable<HttpResponse> send_once(const detail::Call& c);
  // The keys to sign the next request with, renewed first when they are due.
  asio::awaitable<Credentials> signing_credentials();
  // Sends the call; 2xx -> response, otherwise CloudError. Retried, with
  // exponential backoff and jitter (Retry-After honoured), within the budget:
  //  - throttling (429, APIGW.0308) and connections that failed before the
  //    request was written: every call, since nothing reached the service;
  //  - 5xx and lost answers: reads and idempotent mutations only. Any other
  //    mutation fails with its error, and the executor's journal decides
  //    (ARCHITECTURE.md decision 3): a purchase is never blindly resent.
  // Never a 4xx validation error.
  asio::awaitable<HttpResponse> call(const detail::Call& c);
  bool may_retry(int retry);  // within the per-call limit and the budget
  // "/v1/{encoded project id}/rest"; throws when no project id is configured.
  std::string project_path(std::string_view version, std::string_view rest) const;

  // A KPS call (cph_keypairs.cc): to the kps endpoint.
  detail::Call kps_call(std::string method, std::string api, std::string path) const {
    return detail::Call{detail::Service::kps, std::move(method), std::move(api), std::move(path), {}, std::nullopt};
  }
  // A CPH call of `method` on `api` with the concrete `path`: the common case.
  detail::Call cph_call(std::string method, std::string api, std::string path) const {
    return detail::Call{detail::Service::cph, std::move(method), std::move(api), std::move(path), {}, std::nullopt};
  }
};

}  // namespace cph::cloud
