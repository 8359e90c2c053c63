// What cph-api.md 13.3 fixes of Tencent Cloud bare metal's API 2.0 and both
// sides need (the tencent_bm provider and the emulator): the actions, the
// root password rules and the module's error codes. Dependency-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cph::tencent {

inline constexpr std::string_view kBmHost = "bm.api.qcloud.com";
inline constexpr std::string_view kBmPath = "/v2/index.php";
inline constexpr std::string_view kResetDevicePasswd = "ResetDevicePasswd";
// the source's name, kept (the conventional one is DescribeOperationResult).
inline constexpr std::string_view kDescriptionOperationResult = "DescriptionOperationResult";

// The rule a root (Linux) or Administrator (Windows) password breaks, in
// words that never repeat the password; nullopt when it is acceptable
// (13.3: Linux 8-16 characters of at least two of letters, digits and
// specials; Windows 12-16 of at least three of lower, upper, digits and
// specials, and not containing "Administrator" in any case; A-32: both ' and
// ` count as specials).
std::optional<std::string> password_problem(std::string_view password, bool windows);

// 13.3's module codes: the English hint ("OperationDenied.IncorrectInstanceStatus",
// the emulator's `message`) and what it means for the user; nullptr for a
// code it does not list. The common API 2.0 codes (4000 invalid parameters,
// 4100 authentication, 4200 expired request, 4400 quota, 4500 replayed nonce),
// which 13.3 does not reproduce, are listed too, as the emulator answers them.
struct BmErrorCode {
  int code;
  const char* hint;
  const char* meaning;
  // The request was refused before anything was done (a parameter, a state
  // or an authentication problem); the internal errors (9001, 9005, 9008)
  // may come after the work started.
  bool refused;
};
const BmErrorCode* find_bm_error(int code);

}  // namespace cph::tencent
