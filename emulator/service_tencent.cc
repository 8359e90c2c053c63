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

  const FaultInjector::Decision fault = faults_.decide(operation);
  HttpResponse resp;
  if (fault.kind == FaultInjector::Kind::reset) {
    resp.drop_connection = true;
    resp.status = 0;  // never sent; counted as "0" in the statistics
  } else if (fault.kind != FaultInjector::Kind::none) {
    resp = tencent_fault_answer(fault.kind);
  } else {
    world_.advance_to(clock_->now_us());
    resp = tencent_.handle(req, options_.credentials, now_epoch_seconds(), clock_->now_us());
    // As for CPH, faults after processing touch only a success.
    if (tencent_success(resp) && fault.after == FaultInjector::After::drop) {
      resp.drop_connection = true;
      resp.status = 0;
    } else if (tencent_success(resp) && fault.after == FaultInjector::After::garbage) {
      resp.body = garbage_body(resp.body, fault.garbage, faults_.config().missing_fields, "");
    }
  }
  resp.delay_ms = fault.latency_ms;
  return resp;
}

}  // namespace cph::emulator
