#include "operator/alerts/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace mm::op {

std::string FormatRfc3339(SystemTime t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<SystemTime> ParseRfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm);
  size_t i = 19;
  while (i < s.size() && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9'))) ++i;  // fraction dropped
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && i + 6 == s.size()) {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    const int offset = (hh * 60 + mm) * 60;
    t += s[i] == '+' ? -offset : offset;
  } else if (i + 1 != s.size() || (s[i] != 'Z' && s[i] != 'z')) {
    return std::nullopt;
  }
  // SystemTime counts nanoseconds in 64 bits: about 1678 to 2262. Times outside
  // (Go's zero time 0001-01-01 among them) are not representable.
  constexpr std::time_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count() - 1;
  if (t > kLimit || t < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace mm::op
