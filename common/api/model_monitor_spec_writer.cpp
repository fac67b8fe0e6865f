// ToJson(ModelMonitorSpec): the spec in the API's JSON with every default written out, the
// inverse of ParseModelMonitorSpec.
#include "common/api/model_monitor.h"
#include "common/api/sidecar_monitor_config.h"

namespace mm::api {
namespace {

using nlohmann::json;

json Quantities(const std::map<std::string, Quantity>& quantities) {
  json out = json::object();
  for (const auto& [name, q] : quantities) out[name] = q.text;
  return out;
}

json AlertJson(const AlertRule& a) {
  json out = {{"name", a.name},
              {"metric", ToString(a.metric)},
              {"op", ToString(a.op)},
              {"threshold", a.threshold},
              {"window", FormatDuration(a.window)},
              {"for", FormatDuration(a.for_duration)},
              {"minSamples", a.min_samples},
              {"severity", ToString(a.severity)},
              {"action", ToString(a.action)}};
  if (a.smoothing) out["smoothing"] = {{"emaAlpha", a.smoothing->ema_alpha}};
  if (a.confidence) out["confidence"] = *a.confidence;
  return out;
}

json ServingJson(const ServingSpec& s) {
  json serving = {{"protocol", ToString(s.protocol)}, {"requestIdHeader", s.request_id_header}};
  if (s.port.is_named()) {
    serving["port"] = s.port.name;
  } else {
    serving["port"] = s.port.number;
  }
  if (s.protocol == Protocol::kJson) serving["outputPath"] = s.output_path;
  return serving;
}

json GroundTruthJson(const GroundTruthSpec& g) {
  json ground_truth = {{"task", ToString(g.task)},
                       {"maxLabelDelay", FormatDuration(g.max_label_delay)},
                       {"maxPending", g.max_pending}};
  if (g.task == Task::kBinaryClassification) {
    ground_truth["positiveClass"] = g.positive_class;
    ground_truth["threshold"] = g.threshold;
  }
  return ground_truth;
}

}  // namespace

json ToJson(const LabelSelector& selector) {
  json out = json::object();
  if (!selector.match_labels.empty()) out["matchLabels"] = selector.match_labels;
  if (!selector.match_expressions.empty()) {
    json exprs = json::array();
    for (const auto& r : selector.match_expressions) {
      json item = {{"key", r.key}, {"operator", ToString(r.op)}};
      if (!r.values.empty()) item["values"] = r.values;
      exprs.push_back(std::move(item));
    }
    out["matchExpressions"] = std::move(exprs);
  }
  return out;
}

json ToJson(const ResourceRequirements& resources) {
  json out = json::object();
  if (!resources.requests.empty()) out["requests"] = Quantities(resources.requests);
  if (!resources.limits.empty()) out["limits"] = Quantities(resources.limits);
  return out;
}

json ToJson(const ModelMonitorSpec& spec) {
  json serving = ServingJson(spec.serving);

  json sidecar = {{"sampleRate", spec.sidecar.sample_rate},
                  {"maxBodyBytes", spec.sidecar.max_body_bytes}};
  if (!spec.sidecar.image.empty()) sidecar["image"] = spec.sidecar.image;
  json resources = ToJson(spec.sidecar.resources);
  if (!resources.empty()) sidecar["resources"] = std::move(resources);

  const RemediationSpec& r = spec.remediation;
  json remediation = {{"cooldown", FormatDuration(r.cooldown)},
                      {"maxActionsPerDay", r.max_actions_per_day},
                      {"dryRun", r.dry_run},
                      {"rollback", {{"toRevision", r.rollback_to_revision}}}};
  if (r.retrain_job_template) remediation["retrain"] = {{"jobTemplate", *r.retrain_job_template}};

  json out = {{"selector", ToJson(spec.selector)},
              {"target", {{"kind", spec.target.kind}, {"name", spec.target.name}}},
              {"serving", std::move(serving)},
              {"sidecar", std::move(sidecar)},
              {"remediation", std::move(remediation)}};
  if (spec.ground_truth) out["groundTruth"] = GroundTruthJson(*spec.ground_truth);
  if (!spec.alerts.empty()) {
    json alerts = json::array();
    for (const auto& a : spec.alerts) alerts.push_back(AlertJson(a));
    out["alerts"] = std::move(alerts);
  }
  return out;
}

SidecarMonitorConfig SidecarConfigOf(const ModelMonitor& monitor) {
  SidecarMonitorConfig c;
  c.monitor = {monitor.metadata.namespace_name, monitor.metadata.name, monitor.metadata.uid,
               monitor.metadata.generation};
  c.serving = monitor.spec.serving;
  c.sample_rate = monitor.spec.sidecar.sample_rate;
  c.max_body_bytes = monitor.spec.sidecar.max_body_bytes;
  c.ground_truth = monitor.spec.ground_truth;
  return c;
}

json ToJson(const SidecarMonitorConfig& c) {
  json out = {{"monitor",
               {{"namespace", c.monitor.namespace_name},
                {"name", c.monitor.name},
                {"uid", c.monitor.uid},
                {"generation", c.monitor.generation}}},
              {"serving", ServingJson(c.serving)},
              {"sidecar", {{"sampleRate", c.sample_rate}, {"maxBodyBytes", c.max_body_bytes}}}};
  if (c.ground_truth) out["groundTruth"] = GroundTruthJson(*c.ground_truth);
  return out;
}

std::string SidecarConfigText(const ModelMonitor& monitor) {
  return ToJson(SidecarConfigOf(monitor)).dump();
}

}  // namespace mm::api
