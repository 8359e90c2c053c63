// A request-level error: HTTP status + error_code + error_msg. CPH errors take
// status and message verbatim from the reference's table (cph-api.md 9, via
// common/cps_errors.h), so a code can never be answered with the wrong text.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "resources/huawei/cps_errors.h"

namespace cph::emulator {

struct ApiError {
  int status = 400;
  std::string code;
  std::string message;

  // The documented status and message of a CPS code. A code missing from the
  // table is a programming error (std::logic_error), never a silent default.
  static ApiError cps(std::string_view code) {
    const CpsError* e = find_cps_error(code);
    if (!e) throw std::logic_error("undocumented CPS error code " + std::string(code));
    return {e->http_status, std::string(e->code), std::string(e->message)};
  }
};

// Raised inside a validator and turned into the answer at its top, which
// keeps each rule one line: `if (bad) fail("CPS.00xx");`.
struct Failure {
  ApiError error;
};
[[noreturn]] inline void fail(std::string_view code) { throw Failure{ApiError::cps(code)}; }

}  // namespace cph::emulator
