// ToJson(ModelMonitorSpec): the spec in the API's JSON with every default written out, the
// inverse of ParseModelMonitorSpec.
#include "common/api/model_monitor.h"

namespace mm::api {
namespace {

using nlohmann::json;

json Quantities(const std::map<std::string, Quantity>& quantities) {
  json out = json::object();
  for (const auto& [name, q] : quantities) out[name] = q.text;
  return out;
}

json SelectorJson(const LabelSelector& selector) {
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

}  // namespace

json ToJson(const ModelMonitorSpec& spec) {
  json serving = {{"protocol", ToString(spec.serving.protocol)},
                  {"requestIdHeader", spec.serving.request_id_header}};
  if (spec.serving.port.is_named()) {
    serving["port"] = spec.serving.port.name;
  } else {
    serving["port"] = spec.serving.port.number;
  }
  if (spec.serving.protocol == Protocol::kJson) serving["outputPath"] = spec.serving.output_path;

  json sidecar = {{"sampleRate", spec.sidecar.sample_rate},
                  {"maxBodyBytes", spec.sidecar.max_body_bytes}};
  if (!spec.sidecar.image.empty()) sidecar["image"] = spec.sidecar.image;
  json resources = json::object();
  if (!spec.sidecar.resources.requests.empty()) {
    resources["requests"] = Quantities(spec.sidecar.resources.requests);
  }
  if (!spec.sidecar.resources.limits.empty()) {
    resources["limits"] = Quantities(spec.sidecar.resources.limits);
  }
  if (!resources.empty()) sidecar["resources"] = std::move(resources);

  const RemediationSpec& r = spec.remediation;
  json remediation = {{"cooldown", FormatDuration(r.cooldown)},
                      {"maxActionsPerDay", r.max_actions_per_day},
                      {"dryRun", r.dry_run},
                      {"rollback", {{"toRevision", r.rollback_to_revision}}}};
  if (r.retrain_job_template) remediation["retrain"] = {{"jobTemplate", *r.retrain_job_template}};

  json out = {{"selector", SelectorJson(spec.selector)},
              {"target", {{"kind", spec.target.kind}, {"name", spec.target.name}}},
              {"serving", std::move(serving)},
              {"sidecar", std::move(sidecar)},
              {"remediation", std::move(remediation)}};
  if (spec.ground_truth) {
    const GroundTruthSpec& g = *spec.ground_truth;
    json ground_truth = {{"task", ToString(g.task)},
                         {"maxLabelDelay", FormatDuration(g.max_label_delay)},
                         {"maxPending", g.max_pending}};
    if (g.task == Task::kBinaryClassification) {
      ground_truth["positiveClass"] = g.positive_class;
      ground_truth["threshold"] = g.threshold;
    }
    out["groundTruth"] = std::move(ground_truth);
  }
  if (!spec.alerts.empty()) {
    json alerts = json::array();
    for (const auto& a : spec.alerts) alerts.push_back(AlertJson(a));
    out["alerts"] = std::move(alerts);
  }
  return out;
}

}  // namespace mm::api
