#include "common/timefmt.h"

#include <chrono>
#include <ctime>

namespace cph {
namespace {
std::tm utc(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int num(std::string_view s, size_t pos, size_t len) {
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// Fields at fixed offsets: year, month, day, hour, minute, second.
std::optional<int64_t> parse(std::string_view s, const size_t (&at)[6], size_t expected_len) {
  if (s.size() != expected_len || s.back() != 'Z') return std::nullopt;
  const size_t len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i)
    if (!all_digits(s.substr(at[i], len[i]))) return std::nullopt;
  int y = num(s, at[0], 4), mo = num(s, at[1], 2), d = num(s, at[2], 2), h = num(s, at[3], 2),
      mi = num(s, at[4], 2), se = num(s, at[5], 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  int64_t epoch = static_cast<int64_t>(timegm(&tm));
  // timegm normalises impossible dates (Feb 31 -> Mar 2): refuse them instead.
  std::tm back = utc(epoch);
  if (back.tm_mday != d || back.tm_mon != mo - 1 || back.tm_year != y - 1900) return std::nullopt;
  return epoch;
}
}  // namespace

int64_t now_epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso8601_utc(int64_t epoch) {
  std::tm tm = utc(epoch);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string sdk_date(int64_t epoch) {
  std::tm tm = utc(epoch);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::optional<int64_t> parse_iso8601_utc(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  return parse(s, {0, 5, 8, 11, 14, 17}, 20);
}

std::optional<int64_t> parse_sdk_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T') return std::nullopt;
  return parse(s, {0, 4, 6, 9, 11, 13}, 16);
}

}  // namespace cph
