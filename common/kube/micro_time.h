#pragma once

#include <string>

namespace mm::kube {

// The current time as a metav1.MicroTime: RFC 3339 UTC with microseconds,
// e.g. "2026-11-22T08:04:05.123456Z" (Lease renewTime, Event eventTime).
std::string MicroTimeNow();

}  // namespace mm::kube
