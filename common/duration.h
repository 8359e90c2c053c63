// Durations as people write them in flags and manifests: "500ms", "30s",
// "2m" (a bare number is seconds). Shared by -lock-timeout (engine) and
// [provider] timeouts (manifest), which add their own ranges and errors.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace cph {

// A non-negative duration, or nullopt for anything else (no sign, no
// spaces, no fraction, at most 9 digits).
inline std::optional<std::chrono::milliseconds> parse_duration_text(std::string_view s) {
  size_t digits = 0;
  long long n = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
    if (digits == 9) return std::nullopt;
    n = n * 10 + (s[digits++] - '0');
  }
  if (digits == 0) return std::nullopt;
  const std::string_view unit = s.substr(digits);
  if (unit.empty() || unit == "s") return std::chrono::seconds(n);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  return std::nullopt;
}

}  // namespace cph
