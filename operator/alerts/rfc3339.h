#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mm::op {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T04:00:00Z", whole seconds (metav1.Time's precision).
std::string FormatRfc3339(SystemTime t);
// Reads what FormatRfc3339 writes, plus fractions and "+hh:mm" offsets; nullopt otherwise,
// and for times SystemTime cannot hold (before 1678 or after 2262).
std::optional<SystemTime> ParseRfc3339(std::string_view text);

}  // namespace mm::op
