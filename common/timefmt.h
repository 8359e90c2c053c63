// UTC time formatting in the formats the CPH API uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cph {

int64_t now_epoch_seconds();
// "YYYY-MM-DDTHH:MM:SSZ" (the reference's timestamp format, section 0.3).
std::string iso8601_utc(int64_t epoch_seconds);
std::optional<int64_t> parse_iso8601_utc(std::string_view s);
// "YYYYMMDDTHHMMSSZ" (X-Sdk-Date).
std::string sdk_date(int64_t epoch_seconds);
std::optional<int64_t> parse_sdk_date(std::string_view s);

}  // namespace cph
