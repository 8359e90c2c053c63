// Tencent Cloud bare metal (黑石), API 2.0, as cph-api.md 13.3 documents it:
// GET or POST /v2/index.php?Action=... with the common parameters signed by
// resources/tencent/signer.h (the SDK's algorithm; the emulator verifies with
// the same code it verifies Huawei requests with: a dependency-free signer).
//
//   ResetDevicePasswd (instanceIds.n, passwd) -> {"code":0,"message":"OK","data":{"taskId":N}}
//   DescriptionOperationResult (taskId)       -> the task's status (A-31: the
//     source's name is kept; the conventional one would be DescribeOperationResult)
//
// Answers are HTTP 200 with a non-zero `code` on failure (13.3's editor's
// note: Tencent v2 convention, an assumption). Module codes and their English
// hints are 13.3's table (9001, 9005, 9008, 10001, 12002, 12006). Signature
// and replay failures use Tencent's API 2.0 *common* codes, which 13.3 does
// not reproduce (its common-parameters page is "not included"): 4000 invalid
// request parameters, 4100 authentication failed, 4200 request expired,
// 4400 quota exceeded (throttling faults), 4500 replay ("playback") attack.
// docs/emulator.md "Tencent bare metal" lists what is the emulator's choice.
//
// Devices and tasks live in memory (not in the data file): a restart starts
// from Options::tencent_devices again. Tasks run on the simulated clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/faults.h"
#include "emulator/http_types.h"
#include "resources/tencent/signer.h"

namespace cph::emulator {

inline constexpr std::string_view kTencentPath = "/v2/index.php";
// A request's Timestamp may be this far from the wall clock, either way, and
// a Nonce is remembered (per SecretId) this long.
inline constexpr int64_t kTencentWindowSeconds = 300;

struct TencentDevice {
  std::string id;                  // "cpm-..." (13.3's examples)
  std::string os = "linux";        // "linux" | "windows": the password rule that applies
  std::string status = "running";  // only "running" devices reset (else 12002)
  bool agent_alive = true;         // false: 12006 TsysAgentNotAlive
  int64_t password_resets = 0;     // tasks that finished successfully on it
  // SHA-256 (hex) of the password the last successful task set: tests check
  // what the cloud got without the admin API ever showing a password.
  std::string password_sha256 = {};
};

// 13.3's password rules, by the device's OS (A-32: both ' and ` count as
// special characters). Other characters are not refused: 13.3 does not say.
bool tencent_password_ok(std::string_view password, bool windows);

// Status values of DescriptionOperationResult's data.status (the emulator's
// choice, after the v2 VPC task API: 0 success, 1 failed, 2 running).
// The answer of a request an injected fault stops before processing: 500s
// become 9001 InternalError.DbError, 503s 9008 InternalError.TscRequestFail
// (13.3), throttling 4400 (quota exceeded, a common code); HTTP 200 each.
HttpResponse tencent_fault_answer(FaultInjector::Kind kind);
// Whether an answer is a success (`code` 0): only those get after-processing faults.
bool tencent_success(const HttpResponse& r);

enum class TencentTaskStatus { success = 0, failed = 1, running = 2 };

class TencentBm {
 public:
  // `device_count` devices cpm-00000001 ... (Linux, running, agent alive).
  TencentBm(int device_count, double reset_password_s);

  // The action a request names ("" when its parameters cannot be read): the
  // operation "METHOD /v2/index.php?Action=NAME" for stats and faults.
  static std::string action_of(const HttpRequest& req);
  // Whether `action` is one this API answers (others: 4000, "unknown Action").
  static bool serves(std::string_view action);
  // Authenticates and runs one request. now_epoch_s: the wall clock (the
  // client's Timestamp); sim_us: the simulated clock (tasks).
  HttpResponse handle(const HttpRequest& req, const std::vector<Credential>& credentials, int64_t now_epoch_s,
                      int64_t sim_us);
  // GET /_emulator/tencent/devices, POST /_emulator/tencent/devices (add or
  // change one device); 404 for anything else.
  HttpResponse admin(const HttpRequest& req, int64_t sim_us);
  // Finishes the tasks due by sim_us.
  void advance(int64_t sim_us);

 private:
  struct Task {
    std::string password_sha256;
    int64_t id = 0;
    std::vector<std::string> devices;
    int64_t finish_us = 0;
    TencentTaskStatus status = TencentTaskStatus::running;
  };

  // Signature, Timestamp and Nonce checks; the error answer, or nothing.
  std::optional<HttpResponse> authenticate(const HttpRequest& req, const tencent::Params& params,
                                           const std::vector<Credential>& credentials, int64_t now_epoch_s);
  HttpResponse reset_device_passwd(const tencent::Params& params, int64_t sim_us);
  HttpResponse operation_result(const tencent::Params& params);
  bool busy(const std::string& device_id) const;
  nlohmann::ordered_json device_json(const TencentDevice& d) const;

  double reset_password_s_;
  std::map<std::string, TencentDevice> devices_;
  std::map<int64_t, Task> tasks_;
  int64_t next_task_id_ = 1;
  // (SecretId, Nonce) -> the wall second until which it stays remembered.
  std::map<std::pair<std::string, std::string>, int64_t> nonces_;
};

}  // namespace cph::emulator
