#include "common/api/duration.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace mm::api {
namespace {

constexpr int kMaxIntegerDigits = 6;
constexpr int kMaxFractionDigits = 9;

struct Unit {
  std::string_view name;
  int64_t nanos;
};

// Longest names first, so "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 7> kUnits{{{"ns", 1},
                                      {"us", 1'000},
                                      {"\u00b5s", 1'000},
                                      {"ms", 1'000'000},
                                      {"s", 1'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"h", 3'600'000'000'000}}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error NotADuration(std::string_view text) {
  return Error{"\"" + std::string(text) + "\" is not a duration (use 30s, 5m, 1h)"};
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text == "0") return Duration{0};
  if (text.empty()) return NotADuration(text);
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t integer = 0;
    int integer_digits = 0;
    while (i < text.size() && IsDigit(text[i])) {
      if (++integer_digits > kMaxIntegerDigits) return NotADuration(text);
      integer = integer * 10 + (text[i++] - '0');
    }
    if (integer_digits == 0) return NotADuration(text);
    int64_t fraction = 0;
    int64_t scale = 1;
    if (i < text.size() && text[i] == '.') {
      ++i;
      int fraction_digits = 0;
      while (i < text.size() && IsDigit(text[i])) {
        if (++fraction_digits > kMaxFractionDigits) return NotADuration(text);
        fraction = fraction * 10 + (text[i++] - '0');
        scale *= 10;
      }
      if (fraction_digits == 0) return NotADuration(text);
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (!unit) return NotADuration(text);
    i += unit->name.size();
    // One part (6 digits of hours, a 9-digit fraction) fits in int64 nanoseconds; long double
    // keeps the fraction exact (64-bit mantissa). The sum of parts is checked, as Go does.
    const int64_t part =
        integer * unit->nanos +
        static_cast<int64_t>(static_cast<long double>(fraction) * unit->nanos / scale);
    if (total > std::numeric_limits<int64_t>::max() - part) return NotADuration(text);
    total += part;
  }
  return Duration{total};
}

std::string FormatDuration(Duration d) {
  int64_t ns = d.count();
  if (ns <= 0) return "0s";
  if (ns < 1'000'000'000) {
    if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
    std::string digits = std::to_string(ns);  // 9 digits would break the 6-digit limit: "0.x"
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    return "0." + digits + "s";
  }
  std::string out;
  const int64_t hours = ns / 3'600'000'000'000;
  ns %= 3'600'000'000'000;
  const int64_t minutes = ns / 60'000'000'000;
  ns %= 60'000'000'000;
  // Parts have at most 6 digits: 1234567h is written 999999h234568h.
  for (int64_t left = hours; left > 0; left -= std::min<int64_t>(left, 999'999)) {
    out += std::to_string(std::min<int64_t>(left, 999'999)) + "h";
  }
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (ns > 0) {
    out += std::to_string(ns / 1'000'000'000);
    int64_t fraction = ns % 1'000'000'000;
    if (fraction > 0) {
      std::string digits = std::to_string(fraction);
      digits.insert(0, 9 - digits.size(), '0');
      while (digits.back() == '0') digits.pop_back();
      out += "." + digits;
    }
    out += "s";
  }
  return out;
}

std::optional<std::chrono::milliseconds> ParseMilliseconds(std::string_view text) {
  auto d = ParseDuration(text);
  if (!d) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(d.value());
}

}  // namespace mm::api
