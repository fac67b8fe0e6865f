#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/result.h"
#include "common/rfc3339.h"

namespace mm::op {

// One alert of an Alertmanager webhook notification.
struct AlertmanagerAlert {
  bool firing = true;  // status "firing"; false for "resolved"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  SystemTime starts_at;
  std::optional<SystemTime> ends_at;  // unset when Alertmanager sends its zero time
  std::string fingerprint;
};

// An Alertmanager webhook notification, version "4" (Alertmanager's
// webhook_config payload): {"version": "4", "status", "receiver", "groupKey",
// "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt",
// "fingerprint", "generatorURL"}], ...}. Fields it does not use are ignored.
struct AlertmanagerNotification {
  std::string receiver;
  std::vector<AlertmanagerAlert> alerts;
};

// Parses a notification; the error names the field and what is wrong, e.g.
// `body.alerts[2].startsAt: "yesterday" is not an RFC 3339 time`. At most
// `max_alerts` alerts (Alertmanager's max_alerts bounds what it sends).
Result<AlertmanagerNotification> ParseAlertmanagerPayload(std::string_view body,
                                                          size_t max_alerts = 1000);

// The ModelMonitor alert an Alertmanager alert names: labels `namespace`,
// `modelmonitor`, and `modelmonitor_alert` (else `alertname`), the name of an
// alert in that monitor's spec.alerts. The error says which label is missing.
struct AlertTarget {
  std::string ns;
  std::string monitor;
  std::string alert;
};
Result<AlertTarget> TargetOf(const AlertmanagerAlert& alert);

// The status.externalAlerts entry for `alert`, heard of at `received`.
api::ExternalAlert ToExternalAlert(const AlertmanagerAlert& alert, const std::string& name,
                                   SystemTime received);

// status.externalAlerts with `incoming` merged in (one entry per alert name; the
// newest report wins, except that a Firing report of an episode already Resolved
// is a late duplicate and changes nothing). Entries for names not in `known` are
// dropped (alerts removed from spec.alerts).
std::vector<api::ExternalAlert> MergeExternalAlert(std::vector<api::ExternalAlert> current,
                                                   const api::ExternalAlert& incoming,
                                                   const std::vector<std::string>& known);

}  // namespace mm::op
