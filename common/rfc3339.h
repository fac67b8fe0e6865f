#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mm {

using SystemTime = std::chrono::system_clock::time_point;

// Times as the Kubernetes API writes them (RFC 3339, UTC).
// metav1.Time, whole seconds: "2026-11-22T04:00:00Z".
std::string FormatRfc3339(SystemTime t);
// metav1.MicroTime (Lease renewTime, Event eventTime): "2026-11-22T04:00:00.123456Z".
std::string FormatRfc3339Micro(SystemTime t);

// Whether `text` is an RFC 3339 date-time: "2026-11-22T04:00:00Z", with an optional
// fraction (".123") and "Z" or a "+hh:mm"/"-hh:mm" offset; 't' and 'z' accepted too.
bool IsRfc3339(std::string_view text);
// The time `text` names (fractions of a second dropped); nullopt when it is not
// RFC 3339 or SystemTime cannot hold it (before 1678 or after 2262).
std::optional<SystemTime> ParseRfc3339(std::string_view text);

}  // namespace mm
