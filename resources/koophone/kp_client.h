// The KooPhone API client (cph-api.md 14): the only place that knows its
// paths. Every call is signed with Huawei AK/SK (14.1: the API accepts it,
// resources/huawei/signer.h) or carries an IAM token (kp_auth.h); calls of
// 14.2, 14.3, 14.4 and 14.6 carry a fresh `x-request-id` (14.1). Batches are
// at most 32 instance ids a call (14.1, A-35); at most `parallelism` calls of
// one API are in flight (cloud/call_slots.h, -parallelism).
//
// Retries: a throttled call (429, APIGW.0308: refused before the service saw
// it) is resent whatever it is; a 5xx or a lost answer only for calls that
// cannot do anything twice (status and task queries, video settings, which
// set values). A reset or a command is never resent after it may have been
// sent: its outcome is then unknown (KpError::refused() is false).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "cloud/http.h"
#include "cloud/service_error.h"
#include "resources/koophone/kp_auth.h"
#include "resources/koophone/kp_batches.h"

namespace cph::koophone {

namespace asio = boost::asio;

// An error answer of the KooPhone API (or its gateway).
struct KpError : std::runtime_error, cloud::ServiceError {
  KpError(int http_status, std::string error_code, std::string error_msg, std::string api);
  int http_status;
  std::string error_code;  // "KOOPHONE.API.1000", "APIGW.0301", or "" when the body had none
  std::string error_msg;
  std::string api;  // "POST /v1/instances/batch-reset"
  bool throttled() const { return http_status == 429 || error_code == "APIGW.0308"; }
  // A 4xx with a KOOPHONE.API or APIGW code: the service did nothing.
  bool refused() const override;
  std::string describe() const override { return what(); }
};

// A 2xx answer that is not what 14 documents (not JSON, error_code not "0",
// a field missing): never read as nothing.
struct KpMalformed : std::runtime_error, cloud::ServiceError {
  using std::runtime_error::runtime_error;
  std::string describe() const override { return what(); }
};

// 14.6's status values.
enum class InstanceStatus { unknown = 0, stopped = 1, running = 2, going_offline = 3, starting = 4, shut_down = 5 };
std::string status_name(int status);  // "running", "shut down", ... ("status N" for others)

// 14.5's VideoSpec / InstanceSetting (one video spec group: the API takes an
// array, every example has one).
struct VideoSpec {
  int code_rate = 0;  // kbps, 0..10000, a multiple of 100
  int fps = 30;       // 30 or 60
  bool operator==(const VideoSpec&) const = default;
};
struct VideoSetting {
  std::string network_type;  // "MOBILE_NETWORK" | "WIFI"
  std::string encoding_type = "H264";
  VideoSpec d540, d720, d1080;
  bool operator==(const VideoSetting&) const = default;
};
// 14.5's rules; "" when the setting keeps them, else what breaks them.
std::string video_setting_error(const VideoSetting& s);

// One instance's command outcome (14.2's CmdResult, 14.4's JobDetail joined
// to 14.3's CmdJob by job_id).
struct CommandResult {
  std::string instance_id;
  int status = 1;  // 1 running, 2 success, -1 failed
  std::string error_code, error_msg, output;
};
// 14.3's answer.
struct AsyncCommand {
  std::string task_id;
  std::map<std::string, std::string> job_instance;  // job_id -> instance_id
};

class KooPhoneClient {
 public:
  // endpoint: the KooPhone service (https://koophone.myhuaweicloud.com).
  KooPhoneClient(asio::any_io_executor executor, const cloud::Url& endpoint, std::unique_ptr<Auth> auth,
                 const cloud::HttpOptions& options = {});
  ~KooPhoneClient();
  KooPhoneClient(const KooPhoneClient&) = delete;
  KooPhoneClient& operator=(const KooPhoneClient&) = delete;

  // Before the first call: at most this many requests of one API at once.
  void set_parallelism(int requests_per_api);
  // Retries of throttled / 5xx calls (tests set 0 to see the first answer).
  void set_max_retries(int n);

  // POST /v1/instances/batch-query-status (14.6) for any number of ids, 32 a
  // call, the calls concurrent within the parallelism. Ids the answer leaves
  // out are absent from the map. Reads data.status_results, or a top-level
  // status_results.
  asio::awaitable<std::map<std::string, int>> query_status(std::vector<std::string> ids);
  // PUT /v1/instances/video-setting (14.5) for at most 32 ids.
  asio::awaitable<void> set_video(std::vector<std::string> ids, std::vector<VideoSetting> settings);
  // POST /v1/instances/batch-reset (14.7) for at most 32 ids.
  asio::awaitable<void> reset(std::vector<std::string> ids);
  // POST /v1/instances/sync-command (14.2) for at most 32 ids.
  asio::awaitable<std::vector<CommandResult>> sync_command(std::vector<std::string> ids, std::string command);
  // POST /v1/instances/async-command (14.3) for at most 32 ids.
  asio::awaitable<AsyncCommand> async_command(std::vector<std::string> ids, std::string command);
  // GET /v1/instances/tasks/{task_id} (14.4): one result per job of `task`.
  asio::awaitable<std::vector<CommandResult>> query_task(AsyncCommand task);

  // Calls sent by API template ("POST /v1/instances/batch-query-status"),
  // retries included.
  std::map<std::string, int64_t> call_counts() const;
  int64_t calls(const std::string& api) const;
  const Auth& auth() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cph::koophone
