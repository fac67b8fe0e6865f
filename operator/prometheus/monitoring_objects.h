#pragma once

// The Prometheus Operator objects of one ModelMonitor (docs/alerts.md, "PodMonitor and
// PrometheusRule per monitor"): a PodMonitor that scrapes the monitor's sidecars and a
// PrometheusRule with one rule per alert of spec.alerts that has a faithful PromQL
// equivalent over the sidecars' metrics. Pure functions: the reconciler applies what they
// build (prometheus_objects.h).
//
// The rules carry what the operator's Alertmanager receiver needs to route a firing alert
// back to the monitor's action (operator/alerts/alertmanager_payload.h, TargetOf): the
// series labels `namespace` (Prometheus Operator adds it) and `modelmonitor` (the
// PodMonitor's relabeling), and the rule label `modelmonitor_alert` (the spec alert's name).

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/result.h"

namespace mm::op {

inline constexpr char kMonitoringApiVersion[] = "monitoring.coreos.com/v1";
inline constexpr char kMonitoringGroupVersionPath[] = "/apis/monitoring.coreos.com/v1";
inline constexpr char kPodMonitorResource[] = "podmonitors";
inline constexpr char kPrometheusRuleResource[] = "prometheusrules";
inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kManagedByValue[] = "modelmonitor-operator";
// The container port of the injected sidecar's admin server (docs/sidecar.md).
inline constexpr char kSidecarAdminPort[] = "mm-admin";

// `<monitor>-modelmonitor`: the name of both objects.
std::string MonitoringObjectName(const std::string& monitor);

// The alert's condition as PromQL over the monitor's series, `<query> <op> <threshold>`,
// joined (`and on (namespace, modelmonitor)`) with `<samples> >= minSamples` where the
// operator counts samples the same way; or an Error saying why the alert has no faithful
// equivalent (then it is left out of the PrometheusRule).
Result<std::string> AlertExpression(const api::AlertRule& alert, const std::string& ns,
                                    const std::string& monitor);

// An alert of spec.alerts left out of the PrometheusRule, and why.
struct UntranslatedAlert {
  std::string alert;
  std::string reason;

  bool operator==(const UntranslatedAlert&) const = default;
};

struct MonitoringObjects {
  nlohmann::json pod_monitor;
  nlohmann::json prometheus_rule;
  int rules = 0;  // rules in prometheus_rule
  std::vector<UntranslatedAlert> untranslated;
};

// Both objects for `monitor` (metadata.name, namespace and uid must be set), owned by it
// (ownerReferences, controller: true) and labelled app.kubernetes.io/managed-by:
// modelmonitor-operator plus `extra_labels` (those a Prometheus' podMonitorSelector and
// ruleSelector look for, e.g. release: kube-prometheus-stack).
MonitoringObjects BuildMonitoringObjects(const api::ModelMonitor& monitor,
                                         const std::map<std::string, std::string>& extra_labels);

}  // namespace mm::op
