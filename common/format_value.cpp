#include "common/format_value.h"

#include <cstdio>

namespace mm {

std::string FormatValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string FormatValue(const std::optional<double>& v) { return v ? FormatValue(*v) : "unknown"; }

}  // namespace mm
