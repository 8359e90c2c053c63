// The client of Tencent Cloud bare metal's API 2.0 (cph-api.md 13.3): one
// signed POST to /v2/index.php per call (the password travels in the body,
// never in a URL that proxies and access logs keep), the {code, message,
// data} envelope read, a non-zero code raised as BmError with 13.3's meaning.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "cloud/http.h"
#include "cloud/service_error.h"
#include "resources/tencent/signer.h"

namespace cph::tencent {

struct BmSettings {
  cloud::Url endpoint;  // https://bm.api.qcloud.com, or the emulator
  std::string region;   // the common parameter Region ("bj", "ap-guangzhou")
  std::string secret_id;
  std::string secret_key;
  SignatureMethod method = SignatureMethod::hmac_sha256;
};

// An answer with a non-zero `code`: the action, Tencent's code and message,
// and 13.3's meaning of the code.
class BmError : public std::runtime_error, public cloud::ServiceError {
 public:
  BmError(std::string action, int code, std::string message);
  std::string describe() const override { return what(); }
  // A code 13.3 (or API 2.0's common list) documents as a refusal.
  bool refused() const override;
  int code() const { return code_; }

 private:
  std::string action_;
  int code_;
};

// An answer that is not the documented envelope: the outcome is unknown.
struct BmMalformedAnswer : std::runtime_error, cloud::ServiceError {
  explicit BmMalformedAnswer(const std::string& what) : std::runtime_error(what) {}
  std::string describe() const override { return what(); }
};

// DescriptionOperationResult's answer. Status values as the emulator
// documents them (13.3 does not: docs/emulator.md "Tencent bare metal").
enum class BmTaskStatus { success = 0, failed = 1, running = 2 };
struct BmTask {
  int64_t id = 0;
  BmTaskStatus status = BmTaskStatus::running;
  std::vector<std::string> devices;
};

class BmClient {
 public:
  BmClient(std::unique_ptr<cloud::HttpTransport> transport, BmSettings settings);
  // ResetDevicePasswd: one task resetting every device of `ids`; its taskId.
  boost::asio::awaitable<int64_t> reset_device_passwd(const std::vector<std::string>& ids, const std::string& password);
  boost::asio::awaitable<BmTask> operation_result(int64_t task_id);
  // Requests sent so far (tests count them).
  int64_t calls() const { return calls_; }
  const BmSettings& settings() const { return settings_; }

 private:
  boost::asio::awaitable<nlohmann::json> call(std::string_view action, Params params, bool idempotent);

  std::unique_ptr<cloud::HttpTransport> transport_;
  BmSettings settings_;
  int64_t calls_ = 0;
};

}  // namespace cph::tencent
