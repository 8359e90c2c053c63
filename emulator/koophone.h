// The KooPhone API (cph-api.md 14, seed 004) inside the emulator: instances
// bought outside the API (a catalog of `--koophone-instances N`, kp000001 ...,
// plus those the admin API adds), their status (14.6), video settings (14.5),
// batch reset (14.7), sync and async adb commands (14.2, 14.3) with their
// tasks (14.4), and the streaming device token (14.8).
//
// Answers follow 14.1: `{"error_code": "0", "error_msg": "ok", "data": {...}}`
// on success, `{"error_code", "error_msg"}` on 400/401/500 with the
// KOOPHONE.API.xxxx codes of 14.1's table (Chinese originals, then the
// detail). Authentication (AK/SK or X-Auth-Token) and faults are the
// Service's (service_koophone.cc); this class sees authenticated requests.
//
// Choices the reference leaves open (docs/emulator.md "KooPhone"):
//  - batch-query-status omits ids that are not the tenant's (A-37's example
//    answers one result for two ids); every other call refuses the whole
//    request with 401 KOOPHONE.API.1001 "no permission on the instance";
//  - a reset takes an instance in status 1, 2 or 5 to 4 (starting) and, after
//    Durations::koophone_reset_s, to 2 (running); 0, 3 and 4 refuse it (400);
//  - a command runs on running instances (status 2) only; its output is
//    "INSTANCE_ID: COMMAND"; an instance marked `command_fails` (admin) fails
//    with CPS.0191 "Run command failed." as 14.2's example;
//  - async jobs finish Durations::koophone_command_s after the call;
//  - video settings are kept per network type (the last applied) and a reset
//    keeps them (14.7 does not say); there is no API to read them back, the
//    admin API shows them.
// Instances and tasks live in memory (not in the data file).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/faults.h"
#include "emulator/http_types.h"
#include "emulator/router.h"

namespace cph::emulator {

// Every KooPhone path starts so (14.1: no project id in paths).
inline constexpr std::string_view kKooPhonePrefix = "/v1/instances/";

// 14.6's status values.
enum class KooPhoneStatus { unknown = 0, stopped = 1, running = 2, going_offline = 3, starting = 4, shut_down = 5 };

struct KooPhoneInstance {
  std::string id;
  KooPhoneStatus status = KooPhoneStatus::running;
  bool command_fails = false;  // admin: every command on it fails (CPS.0191)
  int64_t ready_us = 0;        // status starting (after a reset): running from this simulated time
  int64_t resets = 0;          // resets that completed
  int64_t video_setting_calls = 0;
  nlohmann::ordered_json video_settings = nlohmann::ordered_json::object();  // network_type -> InstanceSetting
};

// The answer to a request an injected fault stops before processing: 500 is
// KOOPHONE.API.9999, 503 and throttling the API gateway's (as for CPH).
HttpResponse koophone_fault_answer(FaultInjector::Kind kind);
// A 14.1 error body {"error_code", "error_msg"}.
HttpResponse koophone_error(int status, const std::string& code, const std::string& message);

// A catalog file of instances to adopt (`--koophone-catalog FILE`): one
// instance id a line (1 to 32 of A-Z a-z 0-9 _ -, as 14.1's examples),
// blank lines and `#` comments skipped. Throws std::invalid_argument
// "NAME:LINE: ..." for a bad line or a repeated id.
std::vector<std::string> parse_koophone_catalog(std::string_view text, const std::string& name);

class KooPhone {
 public:
  // `instance_count` instances kp000001 ..., plus `catalog_ids`; all running.
  KooPhone(int instance_count, const std::vector<std::string>& catalog_ids, double command_s, double reset_s);

  // "METHOD TEMPLATE" of a request ("METHOD /v1/instances/<unmatched>" when no
  // route matches): the operation for statistics and faults.
  std::string operation_of(const HttpRequest& req) const;
  // Runs one authenticated request at simulated time sim_us.
  HttpResponse handle(const HttpRequest& req, int64_t sim_us);
  // /_emulator/koophone/...: GET instances, POST instances (add or change
  // one), GET/POST config ({"status_shape": "table" | "example"}).
  HttpResponse admin(const HttpRequest& req, int64_t sim_us);
  // Completes the resets due by sim_us.
  void advance(int64_t sim_us);

 private:
  struct Job {
    std::string job_id, instance_id;
    int64_t finish_us = 0;
    bool ok = true;
    std::string error_code, error_msg, output;
  };
  struct Task {
    std::vector<Job> jobs;
  };
  enum Route : size_t { r_sync_command, r_async_command, r_task_query, r_video_setting, r_query_status, r_batch_reset, r_device_auth };

  HttpResponse run_command(const nlohmann::json& body, bool async, int64_t sim_us);
  HttpResponse query_task(const std::string& task_id, int64_t sim_us) const;
  HttpResponse set_video(const nlohmann::json& body);
  HttpResponse query_status(const nlohmann::json& body) const;
  HttpResponse reset(const nlohmann::json& body, int64_t sim_us);
  HttpResponse device_token(const std::string& instance_id) const;
  // The result of COMMAND on one instance (ok, error, output), decided now.
  Job command_on(const KooPhoneInstance& instance, const std::string& command) const;
  nlohmann::ordered_json instance_json(const KooPhoneInstance& i) const;

  Router router_;
  double command_s_, reset_s_;
  std::map<std::string, KooPhoneInstance> instances_;
  std::map<std::string, Task> tasks_;
  // "table" answers data.status_results; "example" the top-level shape
  // of 14.6's example, so that a client's fallback can be tested.
  std::string status_shape_ = "table";
};

}  // namespace cph::emulator
