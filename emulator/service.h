// The emulator as a request -> response function, without sockets: routing,
// authentication, the project check, the simulated clock, statistics and the
// admin API around the handlers of servers_api.cc and bss_api.cc. The socket
// transport (http_server.h) and the tests both drive this class.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/api.h"
#include "emulator/call_log.h"
#include "emulator/catalog.h"
#include "emulator/emulator.h"
#include "emulator/faults.h"
#include "emulator/iam.h"
#include "emulator/koophone.h"
#include "emulator/http_types.h"
#include "emulator/router.h"
#include "emulator/store.h"
#include "emulator/tencent_bm.h"
#include "emulator/world.h"

namespace cph::emulator {

// sim_now = the world's persisted time + wall time elapsed since start x
// time_scale (+ explicit advances). A restart continues from the persisted
// time: downtime is not jumped over.
class SimClock {
 public:
  using MonotonicMicros = std::function<int64_t()>;
  static int64_t steady_now_us();

  SimClock(int64_t start_sim_us, double time_scale, MonotonicMicros wall = steady_now_us);
  int64_t now_us() const;
  void advance(int64_t sim_us) { offset_us_ += sim_us; }
  double time_scale() const { return scale_; }

 private:
  int64_t start_sim_us_;
  double scale_;
  MonotonicMicros wall_;
  int64_t wall_start_us_;
  int64_t offset_us_ = 0;
};

class Service {
 public:
  // Opens (or creates) the data file and loads the world. Throws on a bad
  // data file. Options::credentials empty -> builtin_credential().
  explicit Service(Options options);
  ~Service();  // persists the simulated clock
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Thread-safe; never throws (internal failures are 500 CPS.0003).
  HttpResponse handle(const HttpRequest& req);

  // Moves simulated time forward now (and applies due transitions).
  void advance_clock(double sim_seconds);
  int64_t sim_now_us();
  // Writes the simulated time to the data file.
  void persist_clock();

  const std::vector<Credential>& credentials() const { return options_.credentials; }

 private:
  struct OperationStats {
    int64_t count = 0;
    std::map<int, int64_t> by_status;
  };

  HttpResponse dispatch(const HttpRequest& req, std::string& operation);
  HttpResponse admin(const HttpRequest& req);
  // GET/POST /v2/index.php: the Tencent bare-metal API (service_tencent.cc).
  HttpResponse dispatch_tencent(const HttpRequest& req, std::string& operation);
  // /v1/instances/...: the KooPhone API (service_koophone.cc).
  HttpResponse dispatch_koophone(const HttpRequest& req, std::string& operation);
  // The fault injection of a second API (Tencent, KooPhone) around its
  // processing: `fault_answer` for a fault before processing, `process`
  // otherwise; faults after processing touch only answers `success` accepts.
  HttpResponse with_faults(const std::string& operation, const std::function<HttpResponse(FaultInjector::Kind)>& fault_answer,
                           const std::function<HttpResponse()>& process,
                           const std::function<bool(const HttpResponse&)>& success);
  HttpResponse dispatch_matched(const HttpRequest& req, const RouteMatch& m, const std::string& request_id);
  void apply_faults(FaultConfig config);
  void record(const std::string& operation, int status);

  Options options_;
  Catalog catalog_;
  Store store_;
  World world_;
  std::unique_ptr<SimClock> clock_;
  Router router_;
  std::vector<Handler> handlers_;  // by route index
  std::map<std::string, OperationStats> stats_;
  CallLog calls_;  // mutating requests, for GET /_emulator/calls
  FaultInjector faults_;
  Iam iam_;
  TencentBm tencent_;
  KooPhone koophone_;
  int64_t last_clock_persist_us_ = 0;  // steady clock
  std::mutex mutex_;
};

}  // namespace cph::emulator
