#include "operator/prometheus/monitoring_objects.h"

#include <cctype>
#include <charconv>
#include <chrono>

#include "common/metrics/metric_names.h"

namespace mm::op {
namespace {

using nlohmann::json;
using M = api::Metric;
namespace names = metrics::names;

// The window the sidecar's accuracy gauges cover (modelmonitor_<metric>{window="3600s"};
// sidecar/sidecar_config.h, report_window_ms). Label metrics have a faithful equivalent only
// for alerts over this same window.
constexpr std::chrono::hours kAccuracyGaugeWindow{1};
constexpr char kAccuracyGaugeWindowLabel[] = "3600s";

constexpr char kBy[] = "by (namespace, modelmonitor)";

// A PromQL (and Prometheus Operator `for`) duration: whole units, largest first ("1h30m",
// "90s" is written "1m30s", "250ms"); sub-millisecond parts round up.
std::string PromDuration(api::Duration d) {
  int64_t ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  if (ms <= 0) return "0s";
  std::string out;
  for (const auto& [unit, size] : {std::pair{"h", int64_t{3'600'000}},
                                   {"m", int64_t{60'000}},
                                   {"s", int64_t{1'000}},
                                   {"ms", int64_t{1}}}) {
    if (ms >= size) {
      out += std::to_string(ms / size) + unit;
      ms %= size;
    }
  }
  return out;
}

// The shortest text that reads back as `v` ("0.25", "1e+09"), which PromQL accepts.
std::string Number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// An RE2 pattern that matches exactly `s`.
std::string RegexLiteral(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') out += '\\';
    out += c;
  }
  return out;
}

// "p99-slow" -> "P99Slow".
std::string CamelCase(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

json Metadata(const api::ModelMonitor& m, const std::map<std::string, std::string>& extra) {
  json labels = json::object();
  for (const auto& [k, v] : extra) labels[k] = v;
  labels["app.kubernetes.io/name"] = "modelmonitor";
  labels[kManagedByLabel] = kManagedByValue;
  labels["modelmonitor.io/monitor"] = m.metadata.name;
  const json owner = {
      {"apiVersion", api::kApiVersion}, {"kind", api::kKind}, {"name", m.metadata.name},
      {"uid", m.metadata.uid},          {"controller", true}, {"blockOwnerDeletion", true}};
  return {{"name", MonitoringObjectName(m.metadata.name)},
          {"namespace", m.metadata.namespace_name},
          {"labels", std::move(labels)},
          {"ownerReferences", json::array({owner})}};
}

// The parts of one alert's expression: the value, and the sample count the operator
// compares with minSamples (empty: the operator's count has no equivalent, no guard).
struct Query {
  std::string value;
  std::string samples;
};

Result<Query> QueryFor(const api::AlertRule& a, const std::string& ns, const std::string& name) {
  const std::string sel = "namespace=" + Quoted(ns) + ",modelmonitor=" + Quoted(name);
  const std::string w = "[" + PromDuration(a.window) + "]";
  const std::string by = kBy;
  const api::MetricInfo& info = api::Describe(a.metric);
  auto rate = [&](const std::string& series) {
    return "sum " + by + " (rate(" + series + "{" + sel + "}" + w + "))";
  };
  auto increase = [&](const std::string& series) {
    return "sum " + by + " (increase(" + series + "{" + sel + "}" + w + "))";
  };
  auto quantile = [&](const std::string& histogram) {
    return "histogram_quantile(" + Number(info.quantile) +
           ", sum by (namespace, modelmonitor, le) (rate(" + histogram + "_bucket{" + sel + "}" +
           w + ")))";
  };
  auto busiest_pod = [&](const std::string& per_pod) { return "max " + by + " (" + per_pod + ")"; };
  switch (a.metric) {
    case M::kLatencyP50Seconds:
    case M::kLatencyP90Seconds:
    case M::kLatencyP99Seconds:
      return Query{quantile(names::kSidecarRequestDurationSeconds),
                   increase(std::string(names::kSidecarRequestDurationSeconds) + "_count")};
    case M::kTtftP99Seconds:
      return Query{quantile(names::kSidecarTimeToFirstTokenSeconds),
                   increase(std::string(names::kSidecarTimeToFirstTokenSeconds) + "_count")};
    case M::kErrorRate: {
      // Answers the model never gave are counted as the 502/504 the sidecar sent.
      const std::string errors = "sum " + by + " (rate(" + names::kSidecarRequestsTotal + "{" +
                                 sel + ",code=\"5xx\"}" + w + "))";
      return Query{errors + " / " + rate(names::kSidecarRequestsTotal),
                   increase(names::kSidecarRequestsTotal)};
    }
    case M::kRequestsPerSecond:
      return Query{rate(names::kSidecarRequestsTotal), increase(names::kSidecarRequestsTotal)};
    // Resources: the latest reading of the busiest pod, as the operator takes it (the
    // window does not apply; nor does minSamples, which counts requests).
    case M::kCpuCores:
      return Query{busiest_pod(std::string(names::kSidecarModelCpuCores) + "{" + sel + "}"), ""};
    case M::kMemoryBytes:
      return Query{busiest_pod(std::string(names::kSidecarModelWorkingSetBytes) + "{" + sel +
                               "} or " + names::kSidecarModelResidentMemoryBytes + "{" + sel + "}"),
                   ""};
    case M::kGpuUtilization:  // the mean over a pod's GPUs
      return Query{busiest_pod(std::string("avg by (namespace, modelmonitor, pod) (") +
                               names::kSidecarGpuUtilizationRatio + "{" + sel + "})"),
                   ""};
    case M::kGpuMemoryBytes:  // the sum over a pod's GPUs
      return Query{busiest_pod(std::string("sum by (namespace, modelmonitor, pod) (") +
                               names::kSidecarGpuMemoryUsedBytes + "{" + sel + "})"),
                   ""};
    case M::kAccuracy:
    case M::kLogLoss:
    case M::kMae:
    case M::kRmse: {
      // Means over labelled predictions: each pod's gauge weighted by its labelled samples
      // is exactly the operator's merge of the pods' windows (RMSE through its square).
      if (a.window != kAccuracyGaugeWindow) {
        return Error{std::string(info.name) + " over window " + PromDuration(a.window) +
                     ": the sidecars' accuracy gauges cover 1h only (use window: 1h)"};
      }
      const std::string gsel = "{" + sel + ",window=\"" + kAccuracyGaugeWindowLabel + "\"}";
      const std::string gauge = names::AccuracyGauge(info.name) + gsel;
      const std::string weight = names::AccuracyGauge("labeled_samples") + gsel;
      const std::string weights = "sum " + by + " (" + weight + ")";
      if (a.metric == M::kRmse) {
        return Query{"sqrt(sum " + by + " (" + gauge + " ^ 2 * " + weight + ") / " + weights + ")",
                     weights};
      }
      return Query{"sum " + by + " (" + gauge + " * " + weight + ") / " + weights, weights};
    }
    case M::kPrecision:
    case M::kRecall:
    case M::kF1:
    case M::kAucRoc:
    case M::kMape:
    case M::kR2:
    case M::kLabelCoverage:
      return Error{std::string(info.name) +
                   ": the pods' gauges cannot be merged into the monitor's value (the operator "
                   "merges the pods' confusion matrices, score histograms and sums)"};
    case M::kPredictionPsi:
      return Error{
          "prediction_psi: the operator compares the window with the one before it; the "
          "sidecars export no histogram of predictions to do that in PromQL"};
  }
  return Error{std::string(info.name) + ": no PromQL equivalent"};
}

}  // namespace

std::string MonitoringObjectName(const std::string& monitor) { return monitor + "-modelmonitor"; }

Result<std::string> AlertExpression(const api::AlertRule& a, const std::string& ns,
                                    const std::string& monitor) {
  if (a.smoothing && a.smoothing->ema_alpha > 0) {
    return Error{"smoothing.emaAlpha: PromQL has no moving average across evaluations"};
  }
  if (a.confidence) {
    return Error{"confidence: a PromQL rule compares the raw value, not a confidence bound"};
  }
  auto q = QueryFor(a, ns, monitor);
  if (!q) return q.error();
  std::string expr = q->value + " " + std::string(api::ToString(a.op)) + " " + Number(a.threshold);
  if (!q->samples.empty() && a.min_samples > 0) {
    expr += "\n  and on (namespace, modelmonitor) " + q->samples +
            " >= " + std::to_string(a.min_samples);
  }
  return expr;
}

MonitoringObjects BuildMonitoringObjects(const api::ModelMonitor& m,
                                         const std::map<std::string, std::string>& extra_labels) {
  const std::string& ns = m.metadata.namespace_name;
  const std::string& name = m.metadata.name;
  MonitoringObjects out;

  // Only this monitor's sidecars (the injection annotation is "<monitor>@<version>"), with
  // the label the receiver routes on; Prometheus Operator adds namespace and pod.
  const json relabelings = json::array(
      {{{"sourceLabels", {"__meta_kubernetes_pod_annotation_modelmonitor_io_injected"}},
        {"regex", RegexLiteral(name) + "@.*"},
        {"action", "keep"}},
       {{"targetLabel", "modelmonitor"}, {"replacement", name}, {"action", "replace"}}});
  out.pod_monitor = {{"apiVersion", kMonitoringApiVersion},
                     {"kind", "PodMonitor"},
                     {"metadata", Metadata(m, extra_labels)},
                     {"spec",
                      {{"selector", api::ToJson(m.spec.selector)},
                       {"podMetricsEndpoints", json::array({{{"port", kSidecarAdminPort},
                                                             {"path", "/metrics"},
                                                             {"relabelings", relabelings}}})}}}};

  json rules = json::array();
  for (const api::AlertRule& a : m.spec.alerts) {
    auto expr = AlertExpression(a, ns, name);
    if (!expr) {
      out.untranslated.push_back({a.name, expr.error().message});
      continue;
    }
    const std::string condition = std::string(api::ToString(a.metric)) + " " +
                                  std::string(api::ToString(a.op)) + " " + Number(a.threshold);
    rules.push_back(
        {{"alert", "ModelMonitor" + CamelCase(a.name)},
         {"expr", expr.value()},
         {"for", PromDuration(a.for_duration)},
         {"labels",
          {{"modelmonitor_alert", a.name}, {"severity", std::string(api::ToString(a.severity))}}},
         {"annotations",
          {{"value", "{{ $value }}"},
           {"summary", "alert " + a.name + " of ModelMonitor " + ns + "/" + name + ": " +
                           condition + " (window " + PromDuration(a.window) +
                           "), measured {{ $value }}"}}}});
  }
  out.rules = static_cast<int>(rules.size());
  out.prometheus_rule = {{"apiVersion", kMonitoringApiVersion},
                         {"kind", "PrometheusRule"},
                         {"metadata", Metadata(m, extra_labels)},
                         {"spec",
                          {{"groups", json::array({{{"name", "modelmonitor." + ns + "." + name},
                                                    {"rules", std::move(rules)}}})}}}};
  return out;
}

}  // namespace mm::op
