// /v1/snapshot documents are read by the operator from every sidecar: parsing and
// merging an untrusted one never crashes.
#include <cstdint>
#include <string_view>

#include "common/metrics/sidecar_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto j = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size),
                                       nullptr, false);
  if (j.is_discarded()) return 0;
  auto s = mm::metrics::SidecarSnapshot::FromJson(j);
  if (!s) return 0;
  mm::metrics::SidecarSnapshot copy = *s;
  (void)copy.Merge(*s);
  for (const auto& b : copy.buckets) (void)b.latency_seconds.Quantile(0.99);
  (void)copy.ToJson().dump();
  return 0;
}
