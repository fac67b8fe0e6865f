#include "operator/endpoints/alert_receiver.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/api/parsed_monitor.h"
#include "common/kube/resource_path.h"
#include "common/kube/status_update.h"
#include "common/log.h"
#include "operator/alerts/alertmanager_payload.h"

namespace mm::op {
namespace {

using nlohmann::json;

struct Pending {
  std::string alert;  // its alertname, for the answer
  api::ExternalAlert entry;
};

json Ignored(const std::string& alert, const std::string& reason) {
  return {{"alert", alert}, {"reason", reason}};
}

// Records `alerts` (all for monitor ns/name) in its status.externalAlerts.
// Returns false when the write failed; `ignored` gets the alerts it did not record.
bool Record(kube::KubeClient& client, const std::string& ns, const std::string& name,
            const std::vector<Pending>& alerts, json* ignored, size_t* accepted) {
  const kube::ResourcePath path{api::kApiVersion, api::kPlural, ns, name};
  json skipped = json::array();
  size_t recorded = 0;
  auto update = kube::UpdateStatus(client, path, [&](const json& cur) -> std::optional<json> {
    skipped = json::array();
    recorded = 0;
    std::vector<std::string> known;
    const json spec = cur.value("spec", json::object());
    for (const auto& a : spec.value("alerts", json::array())) {
      if (a.is_object() && a.contains("name") && a["name"].is_string()) {
        known.push_back(a["name"].get<std::string>());
      }
    }
    json status = cur.value("status", json::object());
    if (!status.is_object()) status = json::object();
    std::vector<api::ExternalAlert> external;
    if (auto parsed = api::ParseModelMonitorStatus(
            json{{"externalAlerts", status.value("externalAlerts", json::array())}})) {
      external = std::move(parsed->external_alerts);
    }
    const auto before = external;
    for (const auto& p : alerts) {
      if (std::find(known.begin(), known.end(), p.entry.name) == known.end()) {
        skipped.push_back(Ignored(p.alert, "ModelMonitor " + ns + "/" + name +
                                               " has no alert named \"" + p.entry.name +
                                               "\" in spec.alerts"));
        continue;
      }
      external = MergeExternalAlert(std::move(external), p.entry, known);
      ++recorded;
    }
    if (external == before) return std::nullopt;
    if (external.empty()) {
      status.erase("externalAlerts");
    } else {
      status["externalAlerts"] = api::ToJson(external);
    }
    return status;
  });
  if (update.response.status == 404) {
    for (const auto& p : alerts) {
      ignored->push_back(Ignored(p.alert, "no ModelMonitor " + ns + "/" + name));
    }
    return true;
  }
  if (!update.response.ok()) {
    log::Warning("cannot record Alertmanager alerts", {{"monitor", ns + "/" + name},
                                                       {"status", update.response.status},
                                                       {"error", update.response.Message()}});
    return false;
  }
  for (auto& s : skipped) ignored->push_back(std::move(s));
  *accepted += recorded;
  return true;
}

}  // namespace

void RegisterAlertReceiver(ApiServer& server, kube::KubeClient& client,
                           AlertReceiverOptions options) {
  server.Handle(
      "POST", kAlertsPath,
      AuthPolicy::Allowed("create", "modelmonitor.io", "modelmonitors", "alerts"),
      [&client, options](const ApiRequest& req) {
        auto notification = ParseAlertmanagerPayload(req.http.body, options.max_alerts);
        if (!notification) return http::Response::Error(400, notification.error().message);
        const SystemTime now = std::chrono::ceil<std::chrono::seconds>(options.now());
        json ignored = json::array();
        std::map<std::pair<std::string, std::string>, std::vector<Pending>> by_monitor;
        for (size_t i = 0; i < notification->alerts.size(); ++i) {
          const AlertmanagerAlert& a = notification->alerts[i];
          const auto named = a.labels.find("alertname");
          const std::string label =
              named != a.labels.end() ? named->second : "alerts[" + std::to_string(i) + "]";
          auto target = TargetOf(a);
          if (!target) {
            ignored.push_back(Ignored(label, target.error().message));
            continue;
          }
          by_monitor[{target->ns, target->monitor}].push_back(
              {label, ToExternalAlert(a, target->alert, now)});
        }
        size_t accepted = 0;
        std::vector<std::string> failed;
        for (const auto& [key, alerts] : by_monitor) {
          if (!Record(client, key.first, key.second, alerts, &ignored, &accepted)) {
            failed.push_back(key.first + "/" + key.second);
          }
        }
        log::Info("Alertmanager notification", {{"receiver", notification->receiver},
                                                {"user", req.caller.username},
                                                {"alerts", notification->alerts.size()},
                                                {"accepted", accepted},
                                                {"ignored", ignored.size()},
                                                {"failed_monitors", failed.size()}});
        json answer = {{"accepted", accepted}, {"ignored", ignored}};
        if (failed.empty()) return http::Response::Json(200, answer);
        std::string names;
        for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
        answer["error"] = "could not record the alerts of " + names +
                          " in their status (the Kubernetes API did not answer); send again";
        return http::Response::Json(503, answer);
      });
}

}  // namespace mm::op
