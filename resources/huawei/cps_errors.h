// The CPH error code table of the API reference (../shared/cph-api.md
// section 9, [S002] 7.2): 275 codes with their HTTP status, verbatim English
// message, meaning and handling. Reference data shared by the emulator (to
// answer with the documented message) and the client (to explain a code).
#pragma once

#include <string_view>

namespace cph {

struct CpsError {
  int http_status;
  std::string_view code;      // "CPS.0024"
  std::string_view message;   // error_msg, verbatim; may contain a {0} placeholder
  std::string_view meaning;
  std::string_view handling;
};

// nullptr when the code is not in the documented table.
const CpsError* find_cps_error(std::string_view code);
// Number of documented codes (275).
size_t cps_error_count();

}  // namespace cph
