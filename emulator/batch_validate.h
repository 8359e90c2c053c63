// Request validation shared by the batch (job-producing) endpoints:
// cph-api.md 3.5-3.11, 6.3. Request-level problems are ApiErrors (11.3);
// per-item problems are decided by the handlers.
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

// the emulator's limit on server ids per batch call (CPS.0096).
inline constexpr size_t kMaxBatchServers = 100;

// body.server_ids: missing, not an array, an element not a non-empty string
// -> CPS.0094; empty -> CPS.0095; more than kMaxBatchServers -> CPS.0096.
// Duplicates are dropped (first occurrence kept).
std::variant<std::vector<std::string>, ApiError> parse_server_ids(const nlohmann::json& body);
// The same rules for a comma-separated query value (3.8).
std::variant<std::vector<std::string>, ApiError> parse_server_id_list(const std::optional<std::string>& csv);

// 3.7: 3-63 characters of a-z 0-9 - .
bool valid_bucket_name(std::string_view s);
// 3.7 / A-10: 1-1024 characters of A-Za-z0-9 . / - _ + # =, ending ".tar".
bool valid_object_path(std::string_view s);
// 3.8: A-Za-z0-9 . + - _ / =, starts with '/', not only "/", no "../" or "//".
bool valid_share_path(std::string_view s);
// 3.9: starts with '/', at most 4096 bytes, A-Za-z0-9 . / - space _ =, no "..".
bool valid_file_path(std::string_view s);
// 3.11: at most 128 bytes of A-Za-z0-9 _ ., not starting with a digit or
// '_', not ending with '.', containing at least one '.'.
bool valid_package_name(std::string_view s);

// A member of an object; JSON null counts as absent.
const nlohmann::json* member(const nlohmann::json& obj, std::string_view name);

}  // namespace cph::emulator
