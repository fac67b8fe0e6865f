#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mm::api {

using Duration = std::chrono::nanoseconds;

// Parses a duration the way the API accepts it: Go's time.ParseDuration syntax without a sign,
// one or more `<number><unit>` parts ("30s", "5m", "1h30m", "1.5h", "500ms") or a bare "0".
// Units: ns, us (or µs), ms, s, m, h. A part has at most 6 integer and 9 fraction digits, which
// keeps every accepted duration far from overflow. This is the grammar the CRD's CEL rules check
// (crds/modelmonitor.io_modelmonitors.yaml), so the apiserver and this parser agree.
// The error says what would be right: `"5x" is not a duration (use 30s, 5m, 1h)`.
Result<Duration> ParseDuration(std::string_view text);

// The same grammar for flags that count in whole milliseconds (--evaluation-interval=15s):
// nullopt when `text` is not a duration.
std::optional<std::chrono::milliseconds> ParseMilliseconds(std::string_view text);

// The shortest text ParseDuration reads back as the same duration: "5m", "1h30m", "1.5s",
// "250ms", "0s". Negative durations are written as "0s".
std::string FormatDuration(Duration d);

}  // namespace mm::api
