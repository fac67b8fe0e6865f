// The ModelMonitor parser reads objects users wrote (through the apiserver) and sidecar
// configs: it never crashes, always explains a refusal, is deterministic, and what it accepts
// survives the round trips the operator relies on (spec and status written and read back;
// durations formatted and parsed again).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/api/model_monitor.h"

namespace {

void CheckDurationAndQuantity(std::string_view text) {
  auto d = mm::api::ParseDuration(text);
  if (d) {
    auto again = mm::api::ParseDuration(mm::api::FormatDuration(*d));
    if (!again || *again != *d) std::abort();
  } else if (d.error().message.empty()) {
    std::abort();
  }
  auto q = mm::api::ParseQuantity(text);
  if (q && q->value < 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size < 64) CheckDurationAndQuantity(text);

  const nlohmann::json object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return 0;
  auto parsed = mm::api::ParseModelMonitor(object);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  auto spec = mm::api::ParseModelMonitorSpec(object["spec"]);
  if (!spec || !(*spec == parsed->spec)) std::abort();
  auto rewritten = mm::api::ParseModelMonitorSpec(mm::api::ToJson(parsed->spec));
  if (!rewritten || !(*rewritten == parsed->spec)) std::abort();
  auto status = mm::api::ParseModelMonitorStatus(mm::api::ToJson(parsed->status));
  if (!status || !(*status == parsed->status)) std::abort();
  for (const auto& alert : parsed->spec.alerts) {
    const auto& info = mm::api::Describe(alert.metric);
    if (alert.threshold < info.min_threshold || alert.threshold > info.max_threshold) {
      std::abort();
    }
  }
  return 0;
}
