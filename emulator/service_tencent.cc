// The Tencent bare-metal API (tencent_bm.h) inside the Service: the same
// statistics, fault injection and simulated clock as the CPH part, with the
// answers in Tencent's {code, message} form. Operations are named
// "METHOD /v2/index.php?Action=NAME" (NAME "<unknown>" for any other action),
// in /_emulator/stats and in the faults' "operations" list.
#include "common/timefmt.h"
#include "emulator/service.h"

namespace cph::emulator {

HttpResponse Service::dispatch_tencent(const HttpRequest& req, std::string& operation) {
  const std::string action = TencentBm::action_of(req);
  const bool served = TencentBm::serves(action);
  operation = req.method + " " + std::string(kTencentPath) + "?Action=" + (served ? action : "<unknown>");

  return with_faults(operation, tencent_fault_answer, [&] {
    world_.advance_to(clock_->now_us());
    return tencent_.handle(req, options_.credentials, now_epoch_seconds(), clock_->now_us());
  }, tencent_success);
}

}  // namespace cph::emulator
