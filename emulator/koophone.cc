// The KooPhone API's requests (cph-api.md 14.2-14.8); koophone.h says what
// the emulator chose where the reference is silent.
#include "emulator/koophone.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <variant>

#include "common/crypto.h"
#include "emulator/api.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// 14.1's table (the Chinese originals).
constexpr const char* kParamError = "KOOPHONE.API.1000";
constexpr const char* kNoPermission = "KOOPHONE.API.1001";
constexpr const char* kParamErrorMsg = "请求参数错误";
constexpr const char* kNoPermissionMsg = "无实例权限";
// 14.1: instance_ids has at most 32 elements, each at most 32 characters.
constexpr size_t kKpMaxIds = 32;
constexpr size_t kKpMaxIdLength = 32;
// 14.2 / 14.3: at most 1024 bytes; A-23: the space is allowed.
constexpr size_t kKpMaxCommand = 1024;
constexpr size_t kKpMaxOutput = 1024;

HttpResponse param_error(const std::string& detail) { return koophone_error(400, kParamError, std::string(kParamErrorMsg) + ": " + detail); }

HttpResponse ok(ojson data) {
  ojson out{{"error_code", "0"}, {"error_msg", "ok"}};
  if (!data.is_null()) out["data"] = std::move(data);
  return json_response(200, out);
}

// The instance_ids of a body: 1..32 distinct non-empty strings of at most 32
// characters; an error message otherwise.
std::variant<std::vector<std::string>, std::string> read_ids(const json& body) {
  auto it = body.find("instance_ids");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > kKpMaxIds)
    return std::string("instance_ids must be an array of 1 to 32 instance ids");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const json& id : *it) {
    if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > kKpMaxIdLength)
      return std::string("each instance id must be a string of 1 to 32 characters");
    if (!seen.insert(id.get<std::string>()).second) return "instance id " + id.get<std::string>() + " is repeated";
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

bool command_ok(const std::string& command) {
  return !command.empty() && command.size() <= kKpMaxCommand &&
         std::all_of(command.begin(), command.end(), [](char ch) {
           const auto c = static_cast<unsigned char>(ch);
           return std::isalnum(c) != 0 || std::string_view("_./:- ").find(ch) != std::string_view::npos;
         });
}

// 14.5's VideoSpec: code_rate 0..10000 in steps of 100 (kbps), fps 30 or 60.
std::string video_spec_error(const json& spec, const std::string& where) {
  if (!spec.is_object()) return where + " must be an object {code_rate, fps}";
  auto rate = spec.find("code_rate");
  auto fps = spec.find("fps");
  if (rate == spec.end() || !rate->is_number_integer() || rate->get<int64_t>() < 0 || rate->get<int64_t>() > 10000 ||
      rate->get<int64_t>() % 100 != 0)
    return where + ".code_rate must be an integer from 0 to 10000, a multiple of 100";
  if (fps == spec.end() || !fps->is_number_integer() || (fps->get<int64_t>() != 30 && fps->get<int64_t>() != 60))
    return where + ".fps must be 30 or 60";
  return "";
}

// 14.5's InstanceSetting; "" when valid.
std::string setting_error(const json& s, size_t n) {
  const std::string where = "instance_settings[" + std::to_string(n) + "]";
  if (!s.is_object()) return where + " must be an object";
  const std::string network = s.value("network_type", json()).is_string() ? s["network_type"].get<std::string>() : "";
  if (network != "MOBILE_NETWORK" && network != "WIFI") return where + ".network_type must be MOBILE_NETWORK or WIFI";
  if (!s.contains("encoding_type") || s["encoding_type"] != "H264") return where + ".encoding_type must be H264";
  auto groups = s.find("video_spec_groups");
  if (groups == s.end() || !groups->is_array() || groups->empty())
    return where + ".video_spec_groups must be a non-empty array";
  for (size_t g = 0; g < groups->size(); ++g) {
    const json& group = (*groups)[g];
    const std::string gwhere = where + ".video_spec_groups[" + std::to_string(g) + "]";
    if (!group.is_object()) return gwhere + " must be an object";
    for (const char* definition : {"definition_540P", "definition_720P", "definition_1080P"}) {
      if (!group.contains(definition)) return gwhere + "." + definition + " is required";
      if (std::string e = video_spec_error(group[definition], gwhere + "." + definition); !e.empty()) return e;
    }
  }
  return "";
}
}  // namespace

HttpResponse koophone_error(int status, const std::string& code, const std::string& message) {
  return json_response(status, ojson{{"error_code", code}, {"error_msg", message}});
}

std::vector<std::string> parse_koophone_catalog(std::string_view text, const std::string& name) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  size_t line_no = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    const std::string where = name + ":" + std::to_string(line_no) + ": ";
    if (line.size() > kKpMaxIdLength || line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
      throw std::invalid_argument(where + "an instance id is 1 to 32 of A-Z a-z 0-9 _ -, got '" + line + "'");
    if (!seen.insert(line).second) throw std::invalid_argument(where + "instance id " + line + " is repeated");
    ids.push_back(line);
  }
  return ids;
}

KooPhone::KooPhone(int instance_count, const std::vector<std::string>& catalog_ids, double command_s, double reset_s)
    : command_s_(command_s), reset_s_(reset_s) {
  // Added in the order of Route.
  router_.add("POST", "/v1/instances/sync-command");
  router_.add("POST", "/v1/instances/async-command");
  router_.add("GET", "/v1/instances/tasks/{task_id}");
  router_.add("PUT", "/v1/instances/video-setting");
  router_.add("POST", "/v1/instances/batch-query-status");
  router_.add("POST", "/v1/instances/batch-reset");
  router_.add("POST", "/v1/instances/{instance_id}/auth");
  for (int i = 1; i <= instance_count; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "kp%06d", i);
    instances_[id] = KooPhoneInstance{id};
  }
  for (const std::string& id : catalog_ids) instances_[id] = KooPhoneInstance{id};
}

std::string KooPhone::operation_of(const HttpRequest& req) const {
  const std::optional<RouteMatch> m = router_.match(req.method, req.path());
  if (!m) return req.method + " " + std::string(kKooPhonePrefix) + "<unmatched>";
  return router_.method(m->route) + " " + router_.pattern(m->route);
}

HttpResponse KooPhone::handle(const HttpRequest& req, int64_t sim_us) {
  const std::optional<RouteMatch> m = router_.match(req.method, req.path());
  // What Huawei's API gateway answers for an unknown API.
  if (!m) return koophone_error(404, "APIGW.0101", "The API does not exist or has not been published in the environment.");
  advance(sim_us);
  const auto route = static_cast<Route>(m->route);
  // 14.1: x-request-id is required on 4.1.1, 4.1.2, 4.1.3 and 4.1.5 only.
  const bool needs_request_id = route == r_sync_command || route == r_async_command || route == r_task_query || route == r_query_status;
  const std::optional<std::string_view> request_id = req.header("x-request-id");
  if (needs_request_id && (!request_id || request_id->empty())) return param_error("the x-request-id header is required");
  HttpResponse resp;
  if (route == r_task_query) resp = query_task(m->param("task_id"), sim_us);
  else if (route == r_device_auth) resp = device_token(m->param("instance_id"));
  else {
    const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) return param_error("the body must be a JSON object");
    switch (route) {
      case r_sync_command: resp = run_command(body, false, sim_us); break;
      case r_async_command: resp = run_command(body, true, sim_us); break;
      case r_video_setting: resp = set_video(body); break;
      case r_query_status: resp = query_status(body); break;
      default: resp = reset(body, sim_us); break;
    }
  }
  if (request_id) resp.headers.emplace_back("x-request-id", std::string(*request_id));
  return resp;
}

KooPhone::Job KooPhone::command_on(const KooPhoneInstance& instance, const std::string& command) const {
  Job job;
  job.instance_id = instance.id;
  if (instance.status != KooPhoneStatus::running) {
    job.ok = false;
    job.error_code = "CPS.0191";
    job.error_msg = "Run command failed.";
    job.output = "instance " + instance.id + " is not running (status " + std::to_string(static_cast<int>(instance.status)) + ")";
  } else if (instance.command_fails) {
    job.ok = false;
    job.error_code = "CPS.0191";
    job.error_msg = "Run command failed.";
    job.output = command + ": failed on " + instance.id;
  } else {
    job.output = instance.id + ": " + command;
  }
  if (job.output.size() > kKpMaxOutput) job.output.resize(kKpMaxOutput);
  return job;
}

// 14.2 (sync) and 14.3 (async): every id must be the tenant's; the jobs'
// outcomes are decided now, reported at once (sync) or after command_s (async).
HttpResponse KooPhone::run_command(const json& body, bool async, int64_t sim_us) {
  auto ids = read_ids(body);
  if (auto* e = std::get_if<std::string>(&ids)) return param_error(*e);
  const json command = body.value("command", json());
  if (!command.is_string() || !command_ok(command.get<std::string>()))
    return param_error("command must be 1 to 1024 bytes of letters, digits, space and _ . / : -");
  std::vector<Job> jobs;
  for (const std::string& id : std::get<std::vector<std::string>>(ids)) {
    auto it = instances_.find(id);
    if (it == instances_.end()) return koophone_error(401, kNoPermission, std::string(kNoPermissionMsg) + ": " + id);
    jobs.push_back(command_on(it->second, command.get<std::string>()));
  }
  if (!async) {
    ojson results = ojson::array();
    for (const Job& j : jobs)
      results.push_back(ojson{{"instance_id", j.instance_id}, {"status", j.ok ? 2 : -1}, {"error_code", j.error_code},
                              {"error_msg", j.error_msg}, {"execute_msg", j.output}});
    return ok(ojson{{"cmd_results", std::move(results)}});
  }
  const std::string task_id = crypto::random_hex(16);
  ojson cmd_jobs = ojson::array();
  for (Job& j : jobs) {
    j.job_id = crypto::random_hex(16);
    j.finish_us = sim_us + static_cast<int64_t>(std::llround(command_s_ * 1e6));
    cmd_jobs.push_back(ojson{{"instance_id", j.instance_id}, {"job_id", j.job_id}});
  }
  tasks_[task_id] = Task{std::move(jobs)};
  return ok(ojson{{"task_id", task_id}, {"cmd_jobs", std::move(cmd_jobs)}});
}

// 14.4: JobDetail has no instance_id (clients correlate by job_id); a
// running job has status 1 and no output yet.
HttpResponse KooPhone::query_task(const std::string& task_id, int64_t sim_us) const {
  auto task = tasks_.find(task_id);
  if (task == tasks_.end()) return param_error("no task " + task_id);
  ojson jobs = ojson::array();
  for (const Job& j : task->second.jobs) {
    if (j.finish_us > sim_us) {
      jobs.push_back(ojson{{"job_id", j.job_id}, {"status", 1}, {"error_code", ""}, {"error_msg", ""}, {"execute_msg", nullptr}});
      continue;
    }
    jobs.push_back(ojson{{"job_id", j.job_id}, {"status", j.ok ? 2 : -1}, {"error_code", j.error_code},
                         {"error_msg", j.error_msg}, {"execute_msg", j.output}});
  }
  return ok(ojson{{"jobs", std::move(jobs)}});
}

// 14.5 with its editor's validation; a network type named twice in one call
// is refused (which would win is not said).
HttpResponse KooPhone::set_video(const json& body) {
  auto ids = read_ids(body);
  if (auto* e = std::get_if<std::string>(&ids)) return param_error(*e);
  auto settings = body.find("instance_settings");
  if (settings == body.end() || !settings->is_array() || settings->empty())
    return param_error("instance_settings must be a non-empty array");
  std::set<std::string> networks;
  for (size_t n = 0; n < settings->size(); ++n) {
    if (std::string e = setting_error((*settings)[n], n); !e.empty()) return param_error(e);
    if (!networks.insert((*settings)[n]["network_type"].get<std::string>()).second)
      return param_error("network_type " + (*settings)[n]["network_type"].get<std::string>() + " is given twice");
  }
  for (const std::string& id : std::get<std::vector<std::string>>(ids))
    if (!instances_.count(id)) return koophone_error(401, kNoPermission, std::string(kNoPermissionMsg) + ": " + id);
  for (const std::string& id : std::get<std::vector<std::string>>(ids)) {
    KooPhoneInstance& i = instances_.at(id);
    for (const json& s : *settings) i.video_settings[s["network_type"].get<std::string>()] = ojson::parse(s.dump());
    ++i.video_setting_calls;
  }
  return ok(nullptr);
}

// 14.6: ids that are not the tenant's are left out of the answer.
HttpResponse KooPhone::query_status(const json& body) const {
  auto ids = read_ids(body);
  if (auto* e = std::get_if<std::string>(&ids)) return param_error(*e);
  ojson results = ojson::array();
  for (const std::string& id : std::get<std::vector<std::string>>(ids))
    if (auto it = instances_.find(id); it != instances_.end())
      results.push_back(ojson{{"instance_id", id}, {"status", static_cast<int>(it->second.status)}});
  if (status_shape_ == "example") return json_response(200, ojson{{"status_results", std::move(results)}});
  return ok(ojson{{"status_results", std::move(results)}});
}

// 14.7: the whole call is refused when one instance cannot be reset.
HttpResponse KooPhone::reset(const json& body, int64_t sim_us) {
  auto ids = read_ids(body);
  if (auto* e = std::get_if<std::string>(&ids)) return param_error(*e);
  for (const std::string& id : std::get<std::vector<std::string>>(ids)) {
    auto it = instances_.find(id);
    if (it == instances_.end()) return koophone_error(401, kNoPermission, std::string(kNoPermissionMsg) + ": " + id);
    const KooPhoneStatus s = it->second.status;
    if (s != KooPhoneStatus::running && s != KooPhoneStatus::stopped && s != KooPhoneStatus::shut_down)
      return param_error("instance " + id + " cannot be reset in status " + std::to_string(static_cast<int>(s)));
  }
  for (const std::string& id : std::get<std::vector<std::string>>(ids)) {
    KooPhoneInstance& i = instances_.at(id);
    i.status = KooPhoneStatus::starting;
    i.ready_us = sim_us + static_cast<int64_t>(std::llround(reset_s_ * 1e6));
  }
  advance(sim_us);  // a zero duration completes at once
  return ok(nullptr);
}

// 14.8, with the example's shape (A-39: aport/atype null inside, numbers outside).
HttpResponse KooPhone::device_token(const std::string& instance_id) const {
  if (!instances_.count(instance_id))
    return koophone_error(401, kNoPermission, std::string(kNoPermissionMsg) + ": " + instance_id);
  const std::string device_id = crypto::sha256_hex("device:" + instance_id).substr(0, 32);
  ojson internal{{"address", nullptr}, {"aport", nullptr}, {"atype", nullptr}, {"address_ipv6", nullptr}};
  ojson external{{"address", "10.83.71.187"}, {"aport", 10030}, {"atype", 1}, {"address_ipv6", nullptr}};
  ojson resource{{"sdk", {{"internal", internal}, {"external", external}}},
                 {"rtc", {{"ice_signaling", {{"signaling_url", "http://127.0.0.1:18082"}, {"expired_time", nullptr},
                                             {"ice_servers", ojson::array()}}}}},
                 {"device_id", device_id},
                 {"kp_id", instance_id}};
  return ok(ojson{{"resource", std::move(resource)}, {"device_token", crypto::random_hex(16)}});
}

void KooPhone::advance(int64_t sim_us) {
  for (auto& [id, i] : instances_)
    if (i.status == KooPhoneStatus::starting && i.ready_us <= sim_us) {
      i.status = KooPhoneStatus::running;
      ++i.resets;
    }
}

}  // namespace cph::emulator
