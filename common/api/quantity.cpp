#include "common/api/quantity.h"

#include <array>
#include <cmath>
#include <cstdlib>

namespace mm::api {
namespace {

struct Suffix {
  std::string_view name;
  double multiplier;
};

// Two-letter binary suffixes first so "Mi" is not read as "M" plus garbage.
constexpr std::array<Suffix, 16> kSuffixes{{{"Ki", 1024.0},
                                            {"Mi", 1048576.0},
                                            {"Gi", 1073741824.0},
                                            {"Ti", 1099511627776.0},
                                            {"Pi", 1125899906842624.0},
                                            {"Ei", 1152921504606846976.0},
                                            {"n", 1e-9},
                                            {"u", 1e-6},
                                            {"m", 1e-3},
                                            {"k", 1e3},
                                            {"M", 1e6},
                                            {"G", 1e9},
                                            {"T", 1e12},
                                            {"P", 1e15},
                                            {"E", 1e18},
                                            {"", 1.0}}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error NotAQuantity(std::string_view text) {
  return Error{"\"" + std::string(text) +
               "\" is not a quantity (use e.g. 100m or 0.5 for cpu, 64Mi or 1G for memory)"};
}

// Reads [0-9]+(.[0-9]*)? | .[0-9]+ from the front of `text`; returns its length, 0 if none.
size_t NumberLength(std::string_view text) {
  size_t i = 0;
  size_t digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  }
  return digits == 0 ? 0 : i;
}

}  // namespace

Result<Quantity> ParseQuantity(std::string_view text) {
  if (text.empty() || text.size() > 64) return NotAQuantity(text);
  const size_t number_length = NumberLength(text);
  if (number_length == 0) return NotAQuantity(text);
  const std::string number(text.substr(0, number_length));
  std::string_view rest = text.substr(number_length);
  double value = std::strtod(number.c_str(), nullptr);
  const Suffix* suffix = nullptr;
  for (const Suffix& s : kSuffixes) {
    if (rest == s.name) suffix = &s;
  }
  if (suffix) {
    value *= suffix->multiplier;
  } else if (rest[0] == 'e' || rest[0] == 'E') {  // a decimal exponent: 2e3, 1.5E-3
    std::string_view exponent = rest.substr(1);
    size_t i = 0;
    if (i < exponent.size() && (exponent[i] == '+' || exponent[i] == '-')) ++i;
    const size_t exponent_length = NumberLength(exponent.substr(i));
    if (exponent_length == 0 || i + exponent_length != exponent.size()) return NotAQuantity(text);
    value *= std::pow(10.0, std::strtod(std::string(exponent).c_str(), nullptr));
  } else {
    return NotAQuantity(text);
  }
  if (!std::isfinite(value)) return NotAQuantity(text);
  return Quantity{std::string(text), value};
}

}  // namespace mm::api
