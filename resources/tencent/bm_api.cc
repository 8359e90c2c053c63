#include "resources/tencent/bm_api.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace cph::tencent {

std::optional<std::string> password_problem(std::string_view password, bool windows) {
  static constexpr std::string_view kSpecials = "()`'~!@#$%^&*-+=_|{}[]:;<>,.?/";
  bool lower = false, upper = false, digit = false, special = false;
  for (char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    special |= kSpecials.find(ch) != std::string_view::npos;
  }
  if (!windows) {
    if (password.size() < 8 || password.size() > 16 || (lower || upper) + digit + special < 2)
      return "a Linux root password must be 8 to 16 characters with at least two of: letters, digits, special "
             "characters ()`'~!@#$%^&*-+=_|{}[]:;<>,.?/ (Tencent bare metal API: ResetDevicePasswd)";
    return std::nullopt;
  }
  std::string folded(password);
  std::transform(folded.begin(), folded.end(), folded.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (password.size() < 12 || password.size() > 16 || lower + upper + digit + special < 3)
    return "a Windows Administrator password must be 12 to 16 characters with at least three of: a-z, A-Z, "
           "0-9, special characters ()`'~!@#$%^&*-+=_|{}[]:;<>,.?/ (Tencent bare metal API: ResetDevicePasswd)";
  if (folded.find("administrator") != std::string::npos)
    return "a Windows Administrator password must not contain \"Administrator\" in any case (Tencent bare metal API: ResetDevicePasswd)";
  return std::nullopt;
}

const BmErrorCode* find_bm_error(int code) {
  static constexpr std::array<BmErrorCode, 11> kCodes = {{
      {4000, "Invalid request parameters", "the request's parameters are invalid", true},
      {4100, "Authentication failed", "authentication failed: check TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY", true},
      {4200, "Request expired", "the request's Timestamp is more than 5 minutes off: check this machine's clock", true},
      {4400, "Quota exceeded", "the request quota is exhausted: try again later", true},
      {4500, "Playback attack", "the request's Nonce was used before", true},
      {9001, "InternalError.DbError", "the service's database failed", false},
      {9005, "InternalError.RbmqError", "the service's queue failed", false},
      {9008, "InternalError.TscRequestFail", "a back-end API of the service failed", false},
      {10001, "InvalidParameter", "a parameter is wrong: an unknown device id, or a password its OS refuses", true},
      {12002, "OperationDenied.IncorrectInstanceStatus",
       "a device cannot reset its password in its current state (not running, or a reset is in progress)", true},
      {12006, "OperationDenied.TsysAgentNotAlive", "a device's agent is not running, so it cannot reset", true},
  }};
  for (const BmErrorCode& c : kCodes)
    if (c.code == code) return &c;
  return nullptr;
}

}  // namespace cph::tencent
