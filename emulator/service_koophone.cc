// The KooPhone API (koophone.h) inside the Service: the same statistics,
// fault injection, simulated clock and authentication as the CPH part
// (14.1: AK/SK signing or an IAM X-Auth-Token; no project in the path), with
// errors in KooPhone's {error_code, error_msg} form. Operations are named
// "METHOD /v1/instances/..." by their template, in /_emulator/stats and in
// the faults' "operations" list.
#include "common/timefmt.h"
#include "emulator/api.h"
#include "emulator/auth.h"
#include "emulator/service.h"

namespace cph::emulator {

HttpResponse Service::dispatch_koophone(const HttpRequest& req, std::string& operation) {
  operation = koophone_.operation_of(req);
  return with_faults(operation, koophone_fault_answer, [&] {
    // The API gateway's refusal, as for CPH.
    const Credential* caller = nullptr;
    std::string why;
    if (std::optional<std::string_view> token = req.header("X-Auth-Token")) {
      caller = iam_.verify(*token, now_epoch_seconds());
      why = "token is invalid or expired";
    } else {
      AuthResult auth = authenticate(req, options_.credentials, now_epoch_seconds(), &iam_);
      caller = auth.credential;
      why = auth.detail;
    }
    if (!caller) return koophone_error(401, "APIGW.0301", "Incorrect IAM authentication information: " + why);
    world_.advance_to(clock_->now_us());
    return koophone_.handle(req, clock_->now_us());
  }, [](const HttpResponse& r) { return r.status >= 200 && r.status <= 299; });
}

}  // namespace cph::emulator
