#pragma once

#include <functional>

#include "common/kube/kube_client.h"
#include "common/rfc3339.h"
#include "operator/endpoints/api_server.h"

namespace mm::op {

// Where Alertmanager's webhook_config points (docs/alerts.md).
inline constexpr char kAlertsPath[] = "/api/v1/alerts";

struct AlertReceiverOptions {
  size_t max_alerts = 1000;  // per notification
  std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); };
};

// POST kAlertsPath on the operator API: Alertmanager's webhook notifications, for
// callers allowed to `create` `modelmonitors/alerts` (cluster-wide; or the shared
// secret, SharedSecretAuthenticator). Each alert whose labels name a ModelMonitor
// and an alert of its spec.alerts (TargetOf) is recorded in that monitor's
// status.externalAlerts; the leader's next evaluation treats a Firing one as that
// alert Firing, with its action and every safeguard (episode, cooldown, daily
// budget, dryRun). Answers 400 naming what is wrong with a malformed payload,
// 200 with {"accepted": n, "ignored": [{"alert", "reason"}]} otherwise (an alert
// that names no monitor is ignored, not retried), and 503 when a status write
// failed (Alertmanager retries; recording is idempotent).
void RegisterAlertReceiver(ApiServer& server, kube::KubeClient& client,
                           AlertReceiverOptions options = {});

}  // namespace mm::op
