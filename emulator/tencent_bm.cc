#include "emulator/tencent_bm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "common/crypto.h"
#include "emulator/api.h"
#include "resources/tencent/bm_api.h"

namespace cph::emulator {
namespace {
using ojson = nlohmann::ordered_json;

// 13.3's module codes and the API 2.0 common ones (tencent_bm.h), with the
// English hints of resources/tencent/bm_api.h as the `message`.
constexpr int kInvalidParameter = 10001;
constexpr int kIncorrectStatus = 12002;
constexpr int kAgentNotAlive = 12006;
constexpr int kBadRequest = 4000;
constexpr int kAuthFailed = 4100;
constexpr int kExpired = 4200;
constexpr int kQuota = 4400;
constexpr int kReplay = 4500;
constexpr int kDbError = 9001;
constexpr int kBackendError = 9008;

HttpResponse tencent_answer(int code, const std::string& detail = "") {
  const std::string hint = tencent::find_bm_error(code)->hint;
  return json_response(200, ojson{{"code", code}, {"message", detail.empty() ? hint : hint + ": " + detail}});
}

// A decimal integer of at most 18 digits, no sign, no leading zero.
std::optional<int64_t> positive_integer(std::string_view s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
  if (s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  return std::stoll(std::string(s));
}

// The parameters of a request: the query of a GET, the form body of a POST.
std::optional<tencent::Params> params_of(const HttpRequest& req) {
  if (req.method == "POST") return tencent::parse_query(req.body);
  return tencent::parse_query(req.query());
}

// instanceIds.1 .. instanceIds.k, every n from 1 to k present once, values
// distinct and non-empty; nullopt otherwise.
std::optional<std::vector<std::string>> instance_ids(const tencent::Params& params) {
  constexpr std::string_view prefix = "instanceIds.";
  std::map<int64_t, std::string> by_n;
  for (const auto& [key, value] : params) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::optional<int64_t> n = positive_integer(std::string_view(key).substr(prefix.size()));
    if (!n || value.empty()) return std::nullopt;
    by_n[*n] = value;
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& [n, id] : by_n) {
    if (n != static_cast<int64_t>(ids.size()) + 1 || !seen.insert(id).second) return std::nullopt;
    ids.push_back(id);
  }
  if (ids.empty()) return std::nullopt;
  return ids;
}
}  // namespace

HttpResponse tencent_fault_answer(FaultInjector::Kind kind) {
  if (kind == FaultInjector::Kind::throttle) return tencent_answer(kQuota);
  return tencent_answer(kind == FaultInjector::Kind::error_503 ? kBackendError : kDbError);
}

bool tencent_success(const HttpResponse& r) {
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  return r.status == 200 && body.is_object() && body.value("code", -1) == 0;
}

bool tencent_password_ok(std::string_view password, bool windows) {
  return !tencent::password_problem(password, windows);
}

TencentBm::TencentBm(int device_count, double reset_password_s) : reset_password_s_(reset_password_s) {
  for (int i = 1; i <= device_count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "cpm-%08d", i);
    devices_[id] = TencentDevice{id};
  }
}

bool TencentBm::serves(std::string_view action) {
  return action == "ResetDevicePasswd" || action == "DescriptionOperationResult";
}

std::string TencentBm::action_of(const HttpRequest& req) {
  const std::optional<tencent::Params> p = params_of(req);
  if (!p) return "";
  auto it = p->find("Action");
  return it == p->end() ? "" : it->second;
}

std::optional<HttpResponse> TencentBm::authenticate(const HttpRequest& req, const tencent::Params& params,
                                                    const std::vector<Credential>& credentials, int64_t now_epoch_s) {
  for (const char* name : {"Action", "SecretId", "Nonce", "Timestamp", "Region", "Signature"})
    if (!params.count(name) || params.at(name).empty()) return tencent_answer(kBadRequest, std::string("missing ") + name);
  const std::optional<int64_t> nonce = positive_integer(params.at("Nonce"));
  const std::optional<int64_t> timestamp = positive_integer(params.at("Timestamp"));
  if (!nonce || !timestamp) return tencent_answer(kBadRequest, "Nonce and Timestamp must be positive integers");
  if (!tencent::method_of(params)) return tencent_answer(kBadRequest, "SignatureMethod must be HmacSHA1 or HmacSHA256");
  const std::string& secret_id = params.at("SecretId");
  auto cred = std::find_if(credentials.begin(), credentials.end(),
                           [&](const Credential& c) { return c.access_key == secret_id; });
  if (cred == credentials.end()) return tencent_answer(kAuthFailed, "unknown SecretId");
  const std::string host(req.header("Host").value_or(""));
  if (tencent::verify(req.method, host, req.path(), params, cred->secret_key) != tencent::Check::ok)
    return tencent_answer(kAuthFailed, "signature mismatch");
  if (std::llabs(*timestamp - now_epoch_s) > kTencentWindowSeconds)
    return tencent_answer(kExpired, "Timestamp is more than 300 seconds from the server's clock");
  std::erase_if(nonces_, [&](const auto& entry) { return entry.second < now_epoch_s; });
  const auto [it, fresh] =
      nonces_.emplace(std::pair{secret_id, params.at("Nonce")}, std::max(now_epoch_s, *timestamp) + kTencentWindowSeconds);
  if (!fresh) return tencent_answer(kReplay, "Nonce already used");
  return std::nullopt;
}

HttpResponse TencentBm::handle(const HttpRequest& req, const std::vector<Credential>& credentials,
                               int64_t now_epoch_s, int64_t sim_us) {
  const std::optional<tencent::Params> params = params_of(req);
  if (!params) return tencent_answer(kBadRequest, "malformed or repeated parameters");
  if (std::optional<HttpResponse> refused = authenticate(req, *params, credentials, now_epoch_s)) return *refused;
  advance(sim_us);
  const std::string& action = params->at("Action");
  if (action == "ResetDevicePasswd") return reset_device_passwd(*params, sim_us);
  if (action == "DescriptionOperationResult") return operation_result(*params);
  return tencent_answer(kBadRequest, "unknown Action " + action);
}

bool TencentBm::busy(const std::string& device_id) const {
  return std::any_of(tasks_.begin(), tasks_.end(), [&](const auto& t) {
    const Task& task = t.second;
    return task.status == TencentTaskStatus::running &&
           std::find(task.devices.begin(), task.devices.end(), device_id) != task.devices.end();
  });
}

// 13.3: every device must exist, be running with a live agent, and accept the
// password under its OS's rule; then one task covers them all. A refusal
// refuses the whole call (13.3 does not describe partial batches).
HttpResponse TencentBm::reset_device_passwd(const tencent::Params& params, int64_t sim_us) {
  const std::optional<std::vector<std::string>> ids = instance_ids(params);
  if (!ids) return tencent_answer(kInvalidParameter);
  auto passwd = params.find("passwd");
  if (passwd == params.end() || passwd->second.empty()) return tencent_answer(kInvalidParameter);
  for (const std::string& id : *ids)
    if (!devices_.count(id)) return tencent_answer(kInvalidParameter);
  for (const std::string& id : *ids)
    if (devices_.at(id).status != "running" || busy(id)) return tencent_answer(kIncorrectStatus);
  for (const std::string& id : *ids)
    if (!devices_.at(id).agent_alive) return tencent_answer(kAgentNotAlive);
  for (const std::string& id : *ids)
    if (!tencent_password_ok(passwd->second, devices_.at(id).os == "windows")) return tencent_answer(kInvalidParameter);
  Task task;
  task.id = next_task_id_++;
  task.devices = *ids;
  task.password_sha256 = crypto::sha256_hex(passwd->second);
  task.finish_us = sim_us + static_cast<int64_t>(std::llround(reset_password_s_ * 1e6));
  tasks_[task.id] = task;
  return json_response(200, ojson{{"code", 0}, {"message", "OK"}, {"data", ojson{{"taskId", task.id}}}});
}

HttpResponse TencentBm::operation_result(const tencent::Params& params) {
  auto param = params.find("taskId");
  const std::optional<int64_t> id = param == params.end() ? std::nullopt : positive_integer(param->second);
  auto task = id ? tasks_.find(*id) : tasks_.end();
  if (task == tasks_.end()) return tencent_answer(kInvalidParameter);
  return json_response(200, ojson{{"code", 0},
                                  {"message", "OK"},
                                  {"data", ojson{{"taskId", task->second.id},
                                                 {"status", static_cast<int>(task->second.status)},
                                                 {"instanceIds", task->second.devices}}}});
}

// A task finishes at its time: failed when one of its devices' agent is not
// alive then (the device keeps its password), else every device is reset.
void TencentBm::advance(int64_t sim_us) {
  for (auto& [id, task] : tasks_) {
    if (task.status != TencentTaskStatus::running || task.finish_us > sim_us) continue;
    const bool agents = std::all_of(task.devices.begin(), task.devices.end(),
                                    [&](const std::string& d) { return devices_.at(d).agent_alive; });
    task.status = agents ? TencentTaskStatus::success : TencentTaskStatus::failed;
    if (agents)
      for (const std::string& d : task.devices) {
        ++devices_.at(d).password_resets;
        devices_.at(d).password_sha256 = task.password_sha256;
      }
  }
}

ojson TencentBm::device_json(const TencentDevice& d) const {
  return ojson{{"instanceId", d.id},         {"os", d.os},       {"status", d.status},
               {"agentAlive", d.agent_alive}, {"busy", busy(d.id)}, {"passwordResets", d.password_resets},
               {"passwordSha256", d.password_sha256}};
}

// GET lists the devices; POST {"instanceId", "os"?, "status"?, "agentAlive"?}
// adds the device or changes the fields given.
HttpResponse TencentBm::admin(const HttpRequest& req, int64_t sim_us) {
  advance(sim_us);
  if (req.path() != "/_emulator/tencent/devices" || (req.method != "GET" && req.method != "POST"))
    return plain_error(404, "EMULATOR.0404", "unknown admin operation " + req.method + " " + std::string(req.path()));
  if (req.method == "GET") {
    ojson list = ojson::array();
    for (const auto& [id, d] : devices_) list.push_back(device_json(d));
    return json_response(200, ojson{{"devices", std::move(list)}});
  }
  const nlohmann::json body = body_object(req);
  auto field = [&](const char* name, bool (nlohmann::json::*is)() const noexcept) {
    return !body.contains(name) || (body.at(name).*is)();
  };
  if (!body.contains("instanceId") || !body["instanceId"].is_string() || body["instanceId"].get<std::string>().empty() ||
      !field("os", &nlohmann::json::is_string) || !field("status", &nlohmann::json::is_string) ||
      !field("agentAlive", &nlohmann::json::is_boolean) ||
      (body.contains("os") && body["os"] != "linux" && body["os"] != "windows"))
    return plain_error(400, "EMULATOR.0400",
                       "body must be {\"instanceId\": string, \"os\"?: \"linux\"|\"windows\", \"status\"?: string, "
                       "\"agentAlive\"?: bool}");
  const std::string id = body["instanceId"];
  TencentDevice& d = devices_.try_emplace(id, TencentDevice{id}).first->second;
  if (body.contains("os")) d.os = body["os"];
  if (body.contains("status")) d.status = body["status"];
  if (body.contains("agentAlive")) d.agent_alive = body["agentAlive"];
  return json_response(200, device_json(d));
}

}  // namespace cph::emulator
