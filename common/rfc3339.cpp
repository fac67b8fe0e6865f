#include "common/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace mm {
namespace {

std::string Format(SystemTime t, bool micro) {
  const auto since_epoch = t.time_since_epoch();
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const std::time_t s = seconds.count();
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds);
    n += static_cast<size_t>(
        std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(us.count())));
  }
  return std::string(buf, n) + "Z";
}

struct Fields {
  std::tm tm{};
  int offset_seconds = 0;  // east of UTC
};

// The one reader of the format: fixed-width digits, then an optional fraction, then a zone.
std::optional<Fields> Read(std::string_view s) {
  auto number = [&](size_t from, size_t n, int* out) {
    if (from + n > s.size()) return false;
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  Fields f;
  if (!number(0, 4, &f.tm.tm_year) || s.size() < 20 || s[4] != '-' || !number(5, 2, &f.tm.tm_mon) ||
      s[7] != '-' || !number(8, 2, &f.tm.tm_mday) || (s[10] != 'T' && s[10] != 't') ||
      !number(11, 2, &f.tm.tm_hour) || s[13] != ':' || !number(14, 2, &f.tm.tm_min) ||
      s[16] != ':' || !number(17, 2, &f.tm.tm_sec)) {
    return std::nullopt;
  }
  f.tm.tm_year -= 1900;
  f.tm.tm_mon -= 1;
  size_t i = 19;
  if (s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    if (i + 1 != s.size()) return std::nullopt;
    return f;
  }
  int hh = 0, mm = 0;
  if (i + 6 != s.size() || (s[i] != '+' && s[i] != '-') || !number(i + 1, 2, &hh) ||
      s[i + 3] != ':' || !number(i + 4, 2, &mm)) {
    return std::nullopt;
  }
  f.offset_seconds = (s[i] == '+' ? 1 : -1) * (hh * 60 + mm) * 60;
  return f;
}

}  // namespace

std::string FormatRfc3339(SystemTime t) { return Format(t, false); }

std::string FormatRfc3339Micro(SystemTime t) { return Format(t, true); }

bool IsRfc3339(std::string_view text) { return Read(text).has_value(); }

std::optional<SystemTime> ParseRfc3339(std::string_view text) {
  std::optional<Fields> f = Read(text);
  if (!f) return std::nullopt;
  const std::time_t t = timegm(&f->tm) - f->offset_seconds;
  // SystemTime counts nanoseconds in 64 bits: about 1678 to 2262. Times outside
  // (Go's zero time 0001-01-01 among them) are not representable.
  constexpr std::time_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count() - 1;
  if (t > kLimit || t < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace mm
