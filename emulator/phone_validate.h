// Request validation shared by the phone endpoints (cph-api.md 5.5-5.12)
// and the ADB commands (7.0-7.5). Request-level problems are ApiErrors
// (11.3); per-phone problems are decided by the handlers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "emulator/api_error.h"

namespace cph::emulator {

// 5.12 (and A-46 for the other phone batches): at most 100 phones per call.
inline constexpr size_t kMaxBatchPhones = 100;

// body[name] as a list of phone ids: missing or empty -> CPS.0081; not an
// array or an element not a string -> CPS.0080; more than kMaxBatchPhones
// distinct ids -> CPS.0209. Duplicates are dropped.
std::variant<std::vector<std::string>, ApiError> parse_phone_ids(const nlohmann::json& body, std::string_view name);

// 5.5/5.6/5.9 `property`: a string of at most 2048 bytes holding a JSON
// object (else CPS.0078) whose keys are 10.1 keys or legacy aliases (A-29;
// else CPS.0163) with values meeting 10.1's constraints (else CPS.0164). The
// message names the property ({0} of the table).
std::optional<ApiError> check_property(const nlohmann::json& property);

// 5.10 include_files/exclude_files: absolute, at most 4096 bytes, of
// A-Za-z0-9 . / - _ + # * =, under /data or /cache, no "..".
bool valid_export_path(std::string_view s);
// 5.10 object_path: 1-1024 characters of A-Za-z0-9 . / - _ + # = (A-10).
bool valid_export_object_path(std::string_view s);

}  // namespace cph::emulator
