// Alertmanager notifications come from the network (anyone who can reach the
// operator API and pass its authentication): parsing never crashes, and what
// parses is consistent: every alert has a set start, an end (when set) that is
// a real time, and its status entry round-trips through the status parser.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/api/model_monitor.h"
#include "operator/alerts/alertmanager_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = mm::op::ParseAlertmanagerPayload(body, 50);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  if (parsed->alerts.size() > 50) std::abort();
  std::vector<mm::api::ExternalAlert> status;
  std::vector<std::string> known;
  for (const auto& alert : parsed->alerts) {
    if (alert.starts_at <= mm::SystemTime{}) std::abort();
    if (alert.ends_at && *alert.ends_at <= mm::SystemTime{}) std::abort();
    auto target = mm::op::TargetOf(alert);
    if (!target) continue;
    if (target->alert.empty() || target->monitor.empty() || target->ns.empty()) std::abort();
    const std::string name = target->alert.substr(0, 40);
    known.push_back(name);
    status = mm::op::MergeExternalAlert(
        std::move(status), mm::op::ToExternalAlert(alert, name, alert.starts_at), known);
  }
  if (status.size() > mm::api::kMaxExternalAlerts) std::abort();
  // What the receiver would write, the status parser reads back.
  mm::api::ModelMonitorStatus s;
  s.external_alerts = status;
  auto back = mm::api::ParseModelMonitorStatus(mm::api::ToJson(s));
  if (!back || back->external_alerts != status) std::abort();
  return 0;
}
