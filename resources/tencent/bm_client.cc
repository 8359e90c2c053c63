#include "resources/tencent/bm_client.h"

#include <chrono>
#include <utility>

#include "common/crypto.h"
#include "resources/tencent/bm_api.h"

namespace cph::tencent {

namespace {

std::string error_text(const std::string& action, int code, const std::string& message) {
  std::string text = action + " failed: code " + std::to_string(code);
  if (const BmErrorCode* known = find_bm_error(code))
    text += " " + std::string(known->hint) + " (" + known->meaning + ")";
  if (!message.empty()) text += ": " + message;
  return text;
}

// A random positive Nonce: the emulator (and Tencent) refuse one reused
// within five minutes, so it comes from the CSPRNG rather than a counter
// that restarts with every run.
uint64_t fresh_nonce() {
  const std::string hex = crypto::random_hex(4);
  return std::stoull(hex, nullptr, 16) % 4000000000ull + 1;
}

}  // namespace

BmError::BmError(std::string action, int code, std::string message)
    : std::runtime_error(error_text(action, code, message)), action_(std::move(action)), code_(code) {}

bool BmError::refused() const {
  const BmErrorCode* known = find_bm_error(code_);
  return known && known->refused;
}

BmClient::BmClient(std::unique_ptr<cloud::HttpTransport> transport, BmSettings settings)
    : transport_(std::move(transport)), settings_(std::move(settings)) {}

boost::asio::awaitable<nlohmann::json> BmClient::call(std::string_view action, Params params, bool idempotent) {
  Common common;
  common.action = std::string(action);
  common.secret_id = settings_.secret_id;
  common.region = settings_.region;
  common.nonce = fresh_nonce();
  common.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  common.method = settings_.method;
  const std::string path = settings_.endpoint.base_path + std::string(kBmPath);
  cloud::HttpRequest req;
  req.method = "POST";
  req.target = path;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = signed_query("POST", settings_.endpoint.host_header(), path, with_common(common, std::move(params)),
                          settings_.secret_key);
  req.idempotent = idempotent;
  ++calls_;
  const cloud::HttpResponse r = co_await transport_->send(std::move(req));
  const std::string name(action);
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("code") || !body["code"].is_number_integer())
    throw BmMalformedAnswer(name + ": HTTP " + std::to_string(r.status) + " without the {code, message, data} "
                            "envelope of the Tencent bare metal API; the outcome is unknown");
  const int code = body["code"].get<int>();
  std::string message = body.contains("message") && body["message"].is_string() ? body["message"].get<std::string>() : "";
  if (code != 0) throw BmError(name, code, message);
  if (r.status != 200) throw BmMalformedAnswer(name + ": HTTP " + std::to_string(r.status) + " with code 0");
  co_return body.contains("data") ? body["data"] : nlohmann::json::object();
}

boost::asio::awaitable<int64_t> BmClient::reset_device_passwd(const std::vector<std::string>& ids,
                                                              const std::string& password) {
  Params params;
  add_list(params, "instanceIds", ids);
  params["passwd"] = password;
  // Not idempotent for the transport: a reset that may have arrived is not
  // resent blindly (its journal entry decides, docs/recovery.md).
  const nlohmann::json data = co_await call(kResetDevicePasswd, std::move(params), false);
  if (!data.is_object() || !data.contains("taskId") || !data["taskId"].is_number_integer())
    throw BmMalformedAnswer("ResetDevicePasswd: code 0 without data.taskId; the reset may be running");
  co_return data["taskId"].get<int64_t>();
}

boost::asio::awaitable<BmTask> BmClient::operation_result(int64_t task_id) {
  Params params;  // named: GCC 12 mishandles temporaries in a co_await's full expression
  params["taskId"] = std::to_string(task_id);
  const nlohmann::json data = co_await call(kDescriptionOperationResult, std::move(params), true);
  if (!data.is_object() || !data.contains("status") || !data["status"].is_number_integer())
    throw BmMalformedAnswer("DescriptionOperationResult: code 0 without data.status");
  BmTask task;
  task.id = task_id;
  const int status = data["status"].get<int>();
  if (status < 0 || status > 2)
    throw BmMalformedAnswer("DescriptionOperationResult: unknown task status " + std::to_string(status));
  task.status = static_cast<BmTaskStatus>(status);
  if (data.contains("instanceIds") && data["instanceIds"].is_array())
    for (const nlohmann::json& id : data["instanceIds"])
      if (id.is_string()) task.devices.push_back(id.get<std::string>());
  co_return task;
}

}  // namespace cph::tencent
