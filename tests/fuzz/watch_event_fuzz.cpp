// Watch lines come from the network: decoding never crashes, and whatever
// decodes is a consistent event (an ERROR has an HTTP code; other events a
// resourceVersion).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/kube/watch_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto event = mm::kube::ParseWatchEvent(line);
  if (!event) return 0;
  if (event->type == mm::kube::WatchEvent::Type::kError) {
    if (event->error_code < 100 || event->error_code > 599) std::abort();
  } else if (event->resource_version.empty() || !event->object.is_object()) {
    std::abort();
  }
  return 0;
}
