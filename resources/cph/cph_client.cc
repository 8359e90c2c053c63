// The core of CphClient: AK/SK signing, sending, status/error handling and
// read retries (the one call machinery, declared in cph_call.h), the request
// helpers every API family shares, and the server calls (answers are read
// through answer.cc). Other API
// families live in cph_bss.cc (orders), cph_bandwidths.cc, cph_jobs.cc,
// cph_share.cc, cph_tags.cc, cph_keypairs.cc and cph_server_changes.cc. Callers see the plain structs of
// cph_client.h.
#include "resources/cph/cph_client.h"
#include "resources/cph/cph_call.h"
#include "cloud/paging.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/timefmt.h"
#include "resources/huawei/cps_errors.h"
#include "resources/huawei/signer.h"

namespace cph::cloud {

namespace detail {

BandWidthInfo parse_bandwidth(const Answer& b) {
  BandWidthInfo bw;
  bw.band_width_id = b.id("band_width_id");
  bw.band_width_name = b.opt_text("band_width_name");
  bw.band_width_size = b.opt_integer("band_width_size");
  bw.band_width_charge_mode = b.opt_integer("band_width_charge_mode");
  bw.band_width_share_type = b.opt_integer("band_width_share_type");
  bw.create_time = b.opt_text("create_time");
  bw.update_time = b.opt_text("update_time");
  return bw;
}

std::string encode(std::string_view s) { return sign::uri_encode(s); }

ordered_json ports_body(const std::vector<Port>& ports) {
  ordered_json out = ordered_json::array();
  for (const Port& port : ports) {
    ordered_json o;
    o["name"] = port.name;
    o["listen_port"] = port.listen_port;
    o["internet_accessible"] = port.internet_accessible ? "true" : "false";  // a string (1.10)
    out.push_back(std::move(o));
  }
  return out;
}

std::string to_body(const ordered_json& body, const std::string& api) {
  try {
    return body.dump();
  } catch (const json::exception& e) {
    throw std::invalid_argument(api + ": request body: " + e.what());
  }
}

void add_query(std::string& q, std::string_view key, std::string_view value) {
  if (!q.empty()) q += '&';
  q += encode(key);
  q += '=';
  q += encode(value);
}

}  // namespace detail

using namespace detail;

namespace {

constexpr std::string_view kUserAgent = "cphform/0.1";
constexpr int kListPageSize = 100;  // maximum limit of 3.1
// 50,000 servers: a larger project is refused rather than read without bound (docs/architecture.md "Bounds").
constexpr int kMaxServerPages = 500;

// 3.1/3.2: the identity and status of a server are required; the rest may
// be absent or null but not of another type.
Server parse_server(const Answer& j) {
  Server s;
  s.server_id = j.id("server_id");
  s.server_name = j.text("server_name");
  s.server_model_name = j.opt_text("server_model_name");
  s.phone_model_name = j.opt_text("phone_model_name");
  s.keypair_name = j.opt_text("keypair_name");
  s.status = j.integer("status");
  s.vpc_id = j.opt_text("vpc_id");
  s.subnet_id = j.opt_text("subnet_id");
  s.availability_zone = j.opt_text("availability_zone");
  s.network_version = j.opt_text("network_version");
  // the tables swap the two descriptions; the values are the natural ones.
  const Answer metadata = j.opt_object("metadata");
  s.order_id = metadata.opt_text("order_id");
  s.product_id = metadata.opt_text("product_id");
  for (const Answer& a : j.opt_objects("addresses")) {
    Address addr;
    // 1.10: server_ip/public_ip are the new fields; fall back to the
    // deprecated intranet_ip/access_ip for servers that only report those.
    addr.server_ip = a.opt_text("server_ip");
    if (addr.server_ip.empty()) addr.server_ip = a.opt_text("intranet_ip");
    addr.public_ip = a.opt_text("public_ip");
    if (addr.public_ip.empty()) addr.public_ip = a.opt_text("access_ip");
    s.addresses.push_back(std::move(addr));
  }
  for (const Answer& b : j.opt_objects("band_widths")) s.band_widths.push_back(parse_bandwidth(b));
  s.create_time = j.opt_text("create_time");
  s.update_time = j.opt_text("update_time");
  return s;
}

// Reads error bodies (non-2xx), which have no shape to check: whatever they
// hold is kept for the message.
std::string error_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number() || it->is_boolean()) return it->dump();
  return {};
}

// "SERVICE.NNNN": CPS.0024, APIGW.0301, CBC.0101, KPS.0409 (1.5, section 9).
bool documented_code(const std::string& code) {
  const size_t dot = code.find('.');
  if (dot == 0 || dot == std::string::npos || code.size() - dot - 1 != 4) return false;
  for (size_t i = 0; i < dot; ++i)
    if (code[i] < 'A' || code[i] > 'Z') return false;
  for (size_t i = dot + 1; i < code.size(); ++i)
    if (code[i] < '0' || code[i] > '9') return false;
  return true;
}

std::string format_error(int http_status, const std::string& code, const std::string& msg,
                         const std::string& request_id, const std::string& api) {
  std::string what = api + ": HTTP " + std::to_string(http_status);
  if (!code.empty()) what += " " + code;
  if (!msg.empty()) what += ": " + msg;
  if (const CpsError* e = find_cps_error(code)) what += " (" + std::string(e->meaning) + ")";
  if (!request_id.empty()) what += " [request_id " + request_id + "]";
  return what;
}

CloudError error_from(const HttpResponse& r, const Call& c) {
  std::string code, msg, request_id;
  const json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    // 1.5: {"request_id", "error_code", "error_msg"} at the top level; some
    // gateways and services nest it as {"error": {"code"/"error_code", "message"/"error_msg"}}.
    code = error_field(j, "error_code");
    msg = error_field(j, "error_msg");
    request_id = error_field(j, "request_id");
    auto nested = j.find("error");
    if (nested != j.end() && nested->is_object()) {
      if (code.empty()) code = error_field(*nested, "error_code");
      if (code.empty()) code = error_field(*nested, "code");
      if (msg.empty()) msg = error_field(*nested, "error_msg");
      if (msg.empty()) msg = error_field(*nested, "message");
      if (request_id.empty()) request_id = error_field(*nested, "request_id");
    }
  } else {
    // Not JSON (a proxy's HTML page, plain text): keep a readable excerpt.
    std::string text = r.body.substr(0, 300);
    std::replace_if(
        text.begin(), text.end(), [](char ch) { return ch == '\n' || ch == '\r'; }, ' ');
    msg = text;
  }
  if (request_id.empty()) request_id = r.header("X-Request-Id");
  return CloudError(r.status, code, msg, request_id, c.api, r.body);
}

}  // namespace

// ---- CloudError ----------------------------------------------------------------

CloudError::CloudError(int status, std::string code, std::string msg, std::string rid, std::string api_template,
                       std::string raw_body)
    : std::runtime_error(format_error(status, code, msg, rid, api_template)),
      http_status(status),
      error_code(std::move(code)),
      error_msg(std::move(msg)),
      request_id(std::move(rid)),
      api(std::move(api_template)),
      body(std::move(raw_body)) {}

std::string CloudError::meaning() const {
  const CpsError* e = find_cps_error(error_code);
  return e ? std::string(e->meaning) : std::string();
}

bool CloudError::throttled() const {
  // APIGW.0308: the gateway's "throttling threshold reached" (reference 1.5:
  // APIGW codes come from the API gateway).
  return http_status == 429 || error_code == "APIGW.0308";
}

bool CloudError::retryable() const { return throttled() || (http_status >= 500 && http_status <= 599); }

bool CloudError::refused() const { return http_status >= 400 && http_status <= 499 && documented_code(error_code); }

std::string CloudError::describe() const {
  std::string out = api + " failed with HTTP " + std::to_string(http_status);
  if (!error_code.empty()) out += ": " + error_code;
  if (!error_msg.empty()) out += " " + error_msg;
  const std::string m = meaning();
  if (!m.empty()) out += " (" + m + ")";
  if (!request_id.empty()) out += " [request_id " + request_id + "]";
  return out;
}

bool server_status_creating(int status) { return status == 0 || status == 1 || status == 3 || status == 4; }

// ---- CphClient -----------------------------------------------------------------

// The call machinery (declared in cph_call.h): the one place where requests
// are signed, counted, sent and retried.

void CphClient::Impl::count(const std::string& api) {
  std::lock_guard lock(mutex);
  ++counts[api];
}

std::chrono::milliseconds CphClient::Impl::backoff(int retry, const std::string& retry_after) {
  // Retry-After in seconds (the HTTP-date form is not used by APIGW) wins
  // over our own schedule, within a sanity cap.
  if (!retry_after.empty() &&
      std::all_of(retry_after.begin(), retry_after.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
      retry_after.size() <= 6) {
    const std::chrono::milliseconds asked = std::chrono::seconds(std::stol(retry_after));
    std::lock_guard lock(mutex);
    return std::min(asked, retry_policy.retry_after_cap);
  }
  // Exponential with jitter in [50%, 100%]: 200ms, 400ms, 800ms ... so that
  // many clients throttled together do not come back together.
  const auto ceiling = std::min(retry_policy.base * (1 << std::min(retry, 20)), retry_policy.cap);
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<long> dist(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds(dist(rng));
}

asio::awaitable<Credentials> CphClient::Impl::signing_credentials() {
  std::unique_lock lock(mutex);
  const int64_t now = now_epoch_seconds();
  // One renewal at a time: the others sign with the current keys, which are
  // renewed well before they expire (credentials.h renewal_due).
  if (!renew || renewing || !renewal_due(credentials_fetched_at, credentials.expires_at, now)) co_return credentials;
  renewing = true;
  lock.unlock();
  std::optional<Credentials> fresh;
  std::exception_ptr failure;
  try {
    fresh = co_await renew();
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  renewing = false;
  if (fresh) {
    credentials.access_key = std::move(fresh->access_key);
    credentials.secret_key = std::move(fresh->secret_key);
    credentials.security_token = std::move(fresh->security_token);
    credentials.expires_at = fresh->expires_at;
    credentials_fetched_at = now_epoch_seconds();
    ++renewals;
  } else if (credentials.expires_at <= now_epoch_seconds()) {
    // Keys that still work are used while the source is retried at the
    // next request; expired ones cannot be.
    std::rethrow_exception(failure);
  }
  co_return credentials;
}

asio::awaitable<HttpResponse> CphClient::Impl::send_once(const Call& c) {
  const std::shared_ptr<HttpTransport>& transport = c.service == Service::bss   ? bss
                                                    : c.service == Service::kps ? kps
                                                    : c.service == Service::iam ? iam
                                                                                : cph;
  const Url& url = c.service == Service::bss   ? endpoints.bss
                   : c.service == Service::kps ? endpoints.kps
                   : c.service == Service::iam ? endpoints.iam
                                               : endpoints.cph;
  if (!transport) throw std::logic_error("CphClient: no transport for " + c.api);

  const Credentials keys = co_await signing_credentials();
  const std::string path = url.base_path + c.path;
  const std::string body = c.body.value_or(std::string());
  sign::SignableRequest req{c.method, path, c.query, {}, body};
  req.headers.emplace_back("Host", url.host_header());
  // 1.3: Content-Type is required; the SDK sends it on GET as well.
  if (c.body || c.method == "GET") req.headers.emplace_back("Content-Type", "application/json");
  // BSS is global (no project); IAM's project list is how the project is found.
  if (c.service != Service::bss && !keys.project_id.empty()) req.headers.emplace_back("X-Project-Id", keys.project_id);
  // Temporary keys: the token is a header like any other, so it is signed
  // (the SDKs add X-Security-Token before signing).
  if (!keys.security_token.empty()) req.headers.emplace_back("X-Security-Token", keys.security_token);
  req.headers.emplace_back("User-Agent", std::string(kUserAgent));
  // Signed per attempt: a retry carries a fresh X-Sdk-Date.
  sign::sign_request(req, keys.access_key, keys.secret_key, sign::sdk_date_now());

  HttpRequest out;
  out.method = c.method;
  out.target = c.query.empty() ? path : path + "?" + c.query;
  out.headers = std::move(req.headers);
  out.body = body;
  out.idempotent = c.method == "GET" || c.idempotent;
  count(c.api);
  co_return co_await transport->send(std::move(out));
}

asio::awaitable<HttpResponse> CphClient::Impl::send_in_slot(const Call& c) {
  std::unique_ptr<CallSlots>& api_slots = slots[c.api];
  if (!api_slots) api_slots = std::make_unique<CallSlots>(parallelism);
  CallSlots& held = *api_slots;
  co_await held.acquire();
  struct Release {
    CallSlots& s;
    ~Release() { s.release(); }
  } release{held};
  co_return co_await send_once(c);
}

bool CphClient::Impl::may_retry(int retry) {
  if (retry >= retry_policy.max_retries) return false;
  std::lock_guard lock(mutex);
  return budget.spend();
}

asio::awaitable<HttpResponse> CphClient::Impl::call(const Call& c) {
  const bool resendable = c.method == "GET" || c.idempotent;
  for (int retry = 0;; ++retry) {
    std::chrono::milliseconds wait{0};
    try {
      HttpResponse r = co_await send_in_slot(c);
      if (r.status >= 200 && r.status <= 299) {
        std::lock_guard lock(mutex);
        budget.earn();
        co_return r;
      }
      CloudError err = error_from(r, c);
      const bool again = err.throttled() || (resendable && err.retryable());
      if (!again || !may_retry(retry)) throw err;
      wait = backoff(retry, r.header("Retry-After"));
    } catch (const TransportError& e) {
      // A deadline or size limit that ended the exchange is not retried: a
      // silent server would otherwise hold the run for a multiple of it.
      if (e.over_limit) throw TransportError(c.api + ": " + e.what(), e.maybe_sent, true);
      if (!(resendable || !e.maybe_sent) || !may_retry(retry)) throw;
      wait = backoff(retry, "");
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

std::string CphClient::Impl::project_path(std::string_view version, std::string_view rest) const {
  if (credentials.project_id.empty())
    throw std::invalid_argument("CphClient: a project ID is required for CPH calls (HW_PROJECT_ID)");
  return "/" + std::string(version) + "/" + encode(credentials.project_id) + std::string(rest);
}

namespace {
bool same_endpoint(const Url& a, const Url& b) { return a.scheme == b.scheme && a.host == b.host && a.port == b.port; }

void check_credentials(const Credentials& c) {
  if (c.access_key.empty() || c.secret_key.empty())
    throw std::invalid_argument(
        "CphClient: an access key and a secret key are required (HW_ACCESS_KEY, HW_SECRET_KEY)");
}
}  // namespace

CphClient::CphClient(asio::any_io_executor executor, Endpoints endpoints, Credentials credentials, HttpOptions options)
    : impl_(std::make_unique<Impl>()) {
  check_credentials(credentials);
  // One connection pool per address: the emulator serves every service on one.
  std::vector<std::pair<Url, std::shared_ptr<HttpTransport>>> pools;
  auto transport_for = [&](const Url& url) -> std::shared_ptr<HttpTransport> {
    if (url.host.empty()) return nullptr;
    for (const auto& [known, transport] : pools)
      if (same_endpoint(known, url)) return transport;
    pools.emplace_back(url, make_http_transport(executor, url, options));
    return pools.back().second;
  };
  if (endpoints.kps.host.empty()) endpoints.kps = endpoints.cph;
  if (endpoints.iam.host.empty()) endpoints.iam = endpoints.cph;
  impl_->cph = transport_for(endpoints.cph);
  impl_->bss = transport_for(endpoints.bss);
  impl_->kps = transport_for(endpoints.kps);
  impl_->iam = transport_for(endpoints.iam);
  impl_->endpoints = std::move(endpoints);
  impl_->credentials = std::move(credentials);
  impl_->credentials_fetched_at = now_epoch_seconds();
}

CphClient::CphClient(std::shared_ptr<HttpTransport> cph, std::shared_ptr<HttpTransport> bss, Endpoints endpoints,
                     Credentials credentials)
    : impl_(std::make_unique<Impl>()) {
  check_credentials(credentials);
  // KPS and IAM share the CPH transport unless given their own address.
  if (endpoints.kps.host.empty()) endpoints.kps = endpoints.cph;
  if (endpoints.iam.host.empty()) endpoints.iam = endpoints.cph;
  auto pick = [&](const Url& url) {
    return same_endpoint(url, endpoints.bss) && !same_endpoint(url, endpoints.cph) ? bss : cph;
  };
  impl_->kps = pick(endpoints.kps);
  impl_->iam = pick(endpoints.iam);
  impl_->cph = std::move(cph);
  impl_->bss = std::move(bss);
  impl_->endpoints = std::move(endpoints);
  impl_->credentials = std::move(credentials);
  impl_->credentials_fetched_at = now_epoch_seconds();
}

CphClient::~CphClient() = default;

const std::string& CphClient::project_id() const { return impl_->credentials.project_id; }

void CphClient::set_project_id(std::string project_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->credentials.project_id = std::move(project_id);
}

void CphClient::set_credential_renewal(CredentialRenewal renew) {
  std::lock_guard lock(impl_->mutex);
  impl_->renew = std::move(renew);
}

int CphClient::credential_renewals() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->renewals;
}

void CphClient::set_parallelism(int requests_per_api) {
  if (requests_per_api < 1) throw std::invalid_argument("parallelism must be at least 1");
  impl_->parallelism = requests_per_api;
  impl_->slots.clear();
}

void CphClient::set_retry_policy(RetryPolicy policy) {
  std::lock_guard lock(impl_->mutex);
  impl_->retry_policy = policy;
  impl_->budget = detail::RetryBudget(policy.budget);
}

ApiCallCounts CphClient::call_counts() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counts;
}

asio::awaitable<ServerPage> CphClient::list_servers(ListServersQuery query) {
  Call c{Service::cph,
         "GET",
         "GET /v1/{project_id}/cloud-phone/servers",
         impl_->project_path("v1", "/cloud-phone/servers"),
         {},
         std::nullopt};
  add_query(c.query, "offset", std::to_string(query.offset));
  add_query(c.query, "limit", std::to_string(query.limit));
  if (query.server_name) add_query(c.query, "server_name", *query.server_name);
  if (query.server_id) add_query(c.query, "server_id", *query.server_id);
  const HttpResponse r = co_await impl_->call(c);
  const Answer j = Answer::of(r, c);
  ServerPage page;
  page.count = j.opt_integer("count");
  for (const Answer& s : j.objects("servers")) page.servers.push_back(parse_server(s));
  co_return page;
}

asio::awaitable<std::vector<Server>> CphClient::list_all_servers() {
  // Decision 5: refresh reads whole pages, ceil(N/100) calls for N servers
  // (at least 1). The first page gives `count`; the others are asked for
  // together (paging.h), then one at a time while pages come back full
  // (servers created meanwhile) until a short page or `count` is reached.
  PagedList list{"GET /v1/{project_id}/cloud-phone/servers", kListPageSize, kMaxServerPages, true};
  co_return co_await read_all_pages<Server>(
      list,
      [this](int offset) -> asio::awaitable<Page<Server>> {
        ListServersQuery q;
        q.offset = offset;
        q.limit = kListPageSize;
        ServerPage page = co_await list_servers(q);
        co_return Page<Server>{std::move(page.servers), page.count};
      },
      [](const Server& s) { return s.server_id; });
}

asio::awaitable<Server> CphClient::show_server(std::string server_id) {
  Call c{Service::cph,
         "GET",
         "GET /v1/{project_id}/cloud-phone/servers/{server_id}",
         impl_->project_path("v1", "/cloud-phone/servers/" + encode(server_id)),
         {},
         std::nullopt};
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_server(Answer::of(r, c));
}

asio::awaitable<PurchaseResult> CphClient::purchase_servers(PurchaseServersRequest p) {
  // Body of 3.4, fields in the reference's order; optional fields are left
  // out when unset rather than sent empty.
  ordered_json body;
  body["server_name"] = p.server_name;
  body["server_model_name"] = p.server_model_name;
  body["phone_model_name"] = p.phone_model_name;
  body["image_id"] = p.image_id;
  body["count"] = p.count;
  if (p.keypair_name) body["keypair_name"] = *p.keypair_name;
  if (!p.ports.empty()) body["ports"] = ports_body(p.ports);
  ordered_json extend;
  extend["charging_mode"] = 0;  // yearly/monthly, the only documented mode
  extend["period_type"] = p.period_type;
  extend["period_num"] = p.period_num;
  extend["is_auto_pay"] = p.is_auto_pay ? 1 : 0;  // integers, not booleans (table 5-26)
  extend["is_auto_renew"] = p.is_auto_renew ? 1 : 0;
  body["extend_param"] = std::move(extend);
  add_network(body, p, ordered_json::object());
  if (p.availability_zone) body["availability_zone"] = *p.availability_zone;

  Call c{Service::cph,
         "POST",
         "POST /v2/{project_id}/cloud-phone/servers",
         impl_->project_path("v2", "/cloud-phone/servers"),
         {},
         std::nullopt};
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  // Without its order and exactly `count` server ids the answer cannot
  // be acted on: MalformedAnswer, so that the journal keeps the purchase
  // unanswered and the next plan reconciles it by the expected names.
  const Answer j = Answer::of(r, c);
  PurchaseResult result;
  result.request_id = j.opt_text("request_id");
  result.order_id = j.id("order_id");
  result.product_id = j.opt_text("product_id");
  result.server_ids = j.ids("server_ids");
  if (result.server_ids.size() != static_cast<size_t>(p.count))
    j.fail("server_ids", "has " + std::to_string(result.server_ids.size()) + " ids for count " +
                             std::to_string(p.count));
  co_return result;
}

asio::awaitable<void> CphClient::rename_server(std::string server_id, std::string server_name) {
  ordered_json body;
  body["server_name"] = server_name;
  Call c{Service::cph,
         "PUT",
         "PUT /v1/{project_id}/cloud-phone/servers/{server_id}",
         impl_->project_path("v1", "/cloud-phone/servers/" + encode(server_id)),
         {},
         std::nullopt};
  c.body = to_body(body, c.api);
  c.idempotent = true;  // sets the name
  co_await impl_->call(c);
}

}  // namespace cph::cloud
