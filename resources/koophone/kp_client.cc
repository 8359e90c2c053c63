// The KooPhone client's call machinery and its calls (kp_client.h).
#include "resources/koophone/kp_client.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "cloud/call_slots.h"
#include "common/crypto.h"
#include "common/uri.h"
#include "resources/batches.h"

namespace cph::koophone {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// One call as sent: its template (for counting and errors), path and body.
struct KpCall {
  std::string method, api, path;
  std::string body;
  bool request_id = false;  // 14.1: x-request-id on 14.2, 14.3, 14.4, 14.6
  bool resendable = false;  // nothing happens twice if it is sent twice
};

std::string kp_api_error(int status, const std::string& code, const std::string& msg, const std::string& api) {
  std::string out = api + " failed with HTTP " + std::to_string(status);
  if (!code.empty()) out += ": " + code;
  if (!msg.empty()) out += " " + msg;
  return out;
}

// The `data` of a success (14.1: error_code "0"), which must hold `key`
// (none: no data is read). `a37` accepts 14.6's example shape too, `key` at
// the top level without the envelope.
json data_of(const cloud::HttpResponse& r, const KpCall& c, const char* key = nullptr, bool a37 = false) {
  json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) throw KpMalformed(c.api + ": the answer is not a JSON object");
  if (a37 && !body.contains("error_code") && body.contains(key)) return body;
  const json code = body.value("error_code", json());
  if (!code.is_string() || code.get<std::string>() != "0")
    throw KpMalformed(c.api + ": HTTP " + std::to_string(r.status) + " without error_code \"0\": " + r.body.substr(0, 200));
  if (!key) return json::object();
  json data = body.value("data", json());
  if (!data.is_object()) throw KpMalformed(c.api + ": the answer has no data object");
  return data;
}

const json& array_at(const json& j, const char* key, const std::string& api) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) throw KpMalformed(api + ": the answer has no array " + key);
  return *it;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int integer_of(const json& j, const char* key, const std::string& api) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number_integer()) return it->get<int>();
  if (it != j.end() && it->is_string()) {  // a decimal string is tolerated, as for CPH (11.1)
    try {
      return std::stoi(it->get<std::string>());
    } catch (const std::exception&) {
    }
  }
  throw KpMalformed(api + ": " + key + " is not an integer");
}

void check_batch(const std::vector<std::string>& ids, const std::string& api) {
  if (ids.empty() || ids.size() > kMaxIdsPerCall)
    throw std::invalid_argument(api + ": 1 to 32 instance ids a call, not " + std::to_string(ids.size()));
}

ojson spec_json(const VideoSpec& s) { return ojson{{"code_rate", s.code_rate}, {"fps", s.fps}}; }
}  // namespace

KpError::KpError(int status, std::string code, std::string msg, std::string api_template)
    : std::runtime_error(kp_api_error(status, code, msg, api_template)),
      http_status(status),
      error_code(std::move(code)),
      error_msg(std::move(msg)),
      api(std::move(api_template)) {}

bool KpError::refused() const {
  return http_status >= 400 && http_status <= 499 && (error_code.starts_with("KOOPHONE.API.") || error_code.starts_with("APIGW."));
}

std::string status_name(int status) {
  switch (status) {
    case 0: return "unknown";
    case 1: return "stopped";
    case 2: return "running";
    case 3: return "going offline";
    case 4: return "starting";
    case 5: return "shut down";
    default: return "status " + std::to_string(status);
  }
}

std::string video_setting_error(const VideoSetting& s) {
  if (s.network_type != "MOBILE_NETWORK" && s.network_type != "WIFI")
    return "network_type must be MOBILE_NETWORK or WIFI, not \"" + s.network_type + "\"";
  if (s.encoding_type != "H264") return "encoding_type must be H264 (the only one 14.5 allows), not \"" + s.encoding_type + "\"";
  for (const auto& [name, spec] : {std::pair{"540P", s.d540}, std::pair{"720P", s.d720}, std::pair{"1080P", s.d1080}}) {
    if (spec.code_rate < 0 || spec.code_rate > 10000 || spec.code_rate % 100 != 0)
      return std::string(name) + " code_rate must be 0 to 10000 kbps in steps of 100, not " + std::to_string(spec.code_rate);
    if (spec.fps != 30 && spec.fps != 60) return std::string(name) + " fps must be 30 or 60, not " + std::to_string(spec.fps);
  }
  return "";
}

std::vector<std::vector<std::string>> batches_of(const std::vector<std::string>& ids) {
  return resources::in_batches(ids, kMaxIdsPerCall);
}

struct KooPhoneClient::Impl {
  asio::any_io_executor executor;
  cloud::Url endpoint;
  std::unique_ptr<Auth> auth;
  std::unique_ptr<cloud::HttpTransport> transport;
  int parallelism = cloud::kDefaultParallelism;
  int max_retries = 6;
  std::map<std::string, std::unique_ptr<cloud::CallSlots>> slots;  // by API
  std::map<std::string, int64_t> counts;
  std::mt19937 rng{std::random_device{}()};

  asio::awaitable<cloud::HttpResponse> send_once(const KpCall& c, const std::string& request_id, int64_t& generation) {
    std::unique_ptr<cloud::CallSlots>& api_slots = slots[c.api];
    if (!api_slots) api_slots = std::make_unique<cloud::CallSlots>(parallelism);
    cloud::CallSlots& held = *api_slots;
    co_await held.acquire();
    struct Release {
      cloud::CallSlots& s;
      ~Release() { s.release(); }
    } release{held};
    cloud::HttpRequest req{c.method, endpoint.base_path + c.path, {{"Host", endpoint.host_header()}}, c.body, c.resendable};
    if (!c.body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    if (c.request_id) req.headers.emplace_back("x-request-id", request_id);
    co_await auth->authorize(req);
    generation = auth->generation();  // the token this request carries
    ++counts[c.api];
    co_return co_await transport->send(std::move(req));
  }

  std::chrono::milliseconds backoff(int retry) {
    const long ceiling = std::min(200L << std::min(retry, 6), 8000L);
    std::uniform_int_distribution<long> dist(ceiling / 2, ceiling);
    return std::chrono::milliseconds(dist(rng));
  }

  // Sends `c`, retrying as kp_client.h says and renewing a token once on 401.
  asio::awaitable<cloud::HttpResponse> call(const KpCall& c) {
    const std::string request_id = crypto::random_hex(16);  // one per call: its attempts are one message
    bool renewed = false;
    for (int retry = 0;; ++retry) {
      std::chrono::milliseconds wait{0};
      try {
        int64_t generation = 0;
        cloud::HttpResponse r = co_await send_once(c, request_id, generation);
        if (r.status >= 200 && r.status <= 299) co_return r;
        const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
        const std::string code = body.is_object() ? text_of(body, "error_code") : "";
        KpError err(r.status, code, body.is_object() ? text_of(body, "error_msg") : r.body.substr(0, 200), c.api);
        // 401 KOOPHONE.API.1001 is about the instances, not the credentials.
        if (r.status == 401 && code != "KOOPHONE.API.1001" && !renewed) {
          renewed = true;
          if (co_await auth->renew_after_401(generation)) continue;
        }
        const bool again = err.throttled() || (c.resendable && r.status >= 500);
        if (!again || retry >= max_retries) throw err;
        wait = backoff(retry);
        // The gateway's Retry-After (seconds) wins over our schedule, within a minute.
        const std::string after = r.header("Retry-After");
        if (!after.empty() && after.size() <= 6 && after.find_first_not_of("0123456789") == std::string::npos)
          wait = std::min(std::chrono::milliseconds(std::chrono::seconds(std::stol(after))), std::chrono::milliseconds(60000));
      } catch (const cloud::TransportError& e) {
        if (e.over_limit || (e.maybe_sent && !c.resendable) || retry >= max_retries) throw;
        wait = backoff(retry);
      }
      asio::steady_timer timer(executor, wait);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<std::map<std::string, int>> status_batch(std::vector<std::string> ids) {
    KpCall c{"POST", "POST /v1/instances/batch-query-status", "/v1/instances/batch-query-status",
             json{{"instance_ids", ids}}.dump(), true, true};
    const cloud::HttpResponse r = co_await call(c);
    const json data = data_of(r, c, "status_results", /*a37=*/true);
    std::map<std::string, int> out;
    for (const json& s : array_at(data, "status_results", c.api)) {
      if (!s.is_object() || text_of(s, "instance_id").empty()) throw KpMalformed(c.api + ": a status result has no instance_id");
      out[text_of(s, "instance_id")] = integer_of(s, "status", c.api);
    }
    co_return out;
  }
};

KooPhoneClient::KooPhoneClient(asio::any_io_executor executor, const cloud::Url& endpoint, std::unique_ptr<Auth> auth,
                               const cloud::HttpOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = executor;
  impl_->endpoint = endpoint;
  impl_->auth = std::move(auth);
  impl_->transport = cloud::make_http_transport(executor, endpoint, options);
}

KooPhoneClient::~KooPhoneClient() = default;

void KooPhoneClient::set_parallelism(int requests_per_api) { impl_->parallelism = std::max(1, requests_per_api); }
void KooPhoneClient::set_max_retries(int n) { impl_->max_retries = std::max(0, n); }
std::map<std::string, int64_t> KooPhoneClient::call_counts() const { return impl_->counts; }
int64_t KooPhoneClient::calls(const std::string& api) const {
  auto it = impl_->counts.find(api);
  return it == impl_->counts.end() ? 0 : it->second;
}
const Auth& KooPhoneClient::auth() const { return *impl_->auth; }

asio::awaitable<std::map<std::string, int>> KooPhoneClient::query_status(std::vector<std::string> ids) {
  Impl* impl = impl_.get();
  // Named, not temporaries of the co_await below (GCC 12 destroys those twice).
  std::vector<std::vector<std::string>> batches = batches_of(ids);
  std::function<asio::awaitable<std::map<std::string, int>>(std::vector<std::string>)> one_batch =
      [impl](std::vector<std::string> batch) { return impl->status_batch(std::move(batch)); };
  std::vector<std::map<std::string, int>> parts =
      co_await for_each_batch<std::map<std::string, int>>(std::move(batches), one_batch);
  std::map<std::string, int> out;
  for (std::map<std::string, int>& m : parts) out.merge(m);
  co_return out;
}

asio::awaitable<void> KooPhoneClient::set_video(std::vector<std::string> ids, std::vector<VideoSetting> settings) {
  const std::string api = "PUT /v1/instances/video-setting";
  check_batch(ids, api);
  ojson list = ojson::array();
  for (const VideoSetting& s : settings)
    list.push_back(ojson{{"network_type", s.network_type},
                         {"encoding_type", s.encoding_type},
                         {"video_spec_groups",
                          {{{"definition_540P", spec_json(s.d540)}, {"definition_720P", spec_json(s.d720)},
                            {"definition_1080P", spec_json(s.d1080)}}}}});
  // It sets values: sending it twice changes nothing twice.
  KpCall c{"PUT", api, "/v1/instances/video-setting", ojson{{"instance_ids", ids}, {"instance_settings", list}}.dump(), false, true};
  data_of(co_await impl_->call(c), c);
}

asio::awaitable<void> KooPhoneClient::reset(std::vector<std::string> ids) {
  const std::string api = "POST /v1/instances/batch-reset";
  check_batch(ids, api);
  KpCall c{"POST", api, "/v1/instances/batch-reset", json{{"instance_ids", ids}}.dump(), false, false};
  data_of(co_await impl_->call(c), c);
}

asio::awaitable<std::vector<CommandResult>> KooPhoneClient::sync_command(std::vector<std::string> ids, std::string command) {
  const std::string api = "POST /v1/instances/sync-command";
  check_batch(ids, api);
  KpCall c{"POST", api, "/v1/instances/sync-command", json{{"command", command}, {"instance_ids", ids}}.dump(), true, false};
  const cloud::HttpResponse r = co_await impl_->call(c);
  const json data = data_of(r, c, "cmd_results");
  std::vector<CommandResult> out;
  for (const json& j : array_at(data, "cmd_results", api))
    out.push_back(CommandResult{text_of(j, "instance_id"), integer_of(j, "status", api), text_of(j, "error_code"),
                                text_of(j, "error_msg"), text_of(j, "execute_msg")});
  co_return out;
}

asio::awaitable<AsyncCommand> KooPhoneClient::async_command(std::vector<std::string> ids, std::string command) {
  const std::string api = "POST /v1/instances/async-command";
  check_batch(ids, api);
  KpCall c{"POST", api, "/v1/instances/async-command", json{{"command", command}, {"instance_ids", ids}}.dump(), true, false};
  const cloud::HttpResponse r = co_await impl_->call(c);
  const json data = data_of(r, c, "cmd_jobs");
  AsyncCommand out;
  out.task_id = text_of(data, "task_id");
  if (out.task_id.empty()) throw KpMalformed(api + ": the answer has no task_id");
  for (const json& j : array_at(data, "cmd_jobs", api)) {
    if (text_of(j, "job_id").empty() || text_of(j, "instance_id").empty()) throw KpMalformed(api + ": a job without job_id or instance_id");
    out.job_instance[text_of(j, "job_id")] = text_of(j, "instance_id");
  }
  co_return out;
}

asio::awaitable<std::vector<CommandResult>> KooPhoneClient::query_task(AsyncCommand task) {
  const std::string api = "GET /v1/instances/tasks/{task_id}";
  KpCall c{"GET", api, "/v1/instances/tasks/" + uri_encode(task.task_id), "", true, true};
  const cloud::HttpResponse r = co_await impl_->call(c);
  const json data = data_of(r, c, "jobs");
  std::vector<CommandResult> out;
  for (const json& j : array_at(data, "jobs", api)) {
    auto it = task.job_instance.find(text_of(j, "job_id"));
    if (it == task.job_instance.end()) throw KpMalformed(api + ": a job " + text_of(j, "job_id") + " that the task did not start");
    out.push_back(CommandResult{it->second, integer_of(j, "status", api), text_of(j, "error_code"), text_of(j, "error_msg"),
                                text_of(j, "execute_msg")});
  }
  co_return out;
}

}  // namespace cph::koophone
