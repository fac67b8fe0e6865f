#include "operator/remediation/retrain_job.h"

#include <cstdio>

#include "common/format_value.h"

namespace mm::op {
namespace {

uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string RetrainJobName(const RetrainContext& c) {
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08x",
                Fnv1a(c.ns + "/" + c.monitor + "/" + c.alert + "/" + c.episode));
  std::string base = c.monitor + "-" + c.alert;
  constexpr size_t kMax = 63 - 9;  // room for "-" and the hash
  if (base.size() > kMax) base.resize(kMax);
  while (!base.empty() && (base.back() == '-' || base.back() == '.')) base.pop_back();
  return base + "-" + hash;
}

Result<nlohmann::json> BuildRetrainJob(const nlohmann::json& job_template,
                                       const RetrainContext& c) {
  if (!job_template.is_object() || !job_template.contains("spec") ||
      !job_template["spec"].is_object() || !job_template["spec"].contains("template")) {
    return Error{"remediation.retrain.jobTemplate must be a JobTemplateSpec with spec.template"};
  }
  nlohmann::json job = {{"apiVersion", "batch/v1"}, {"kind", "Job"}};
  nlohmann::json meta = job_template.value("metadata", nlohmann::json::object());
  if (!meta.is_object()) meta = nlohmann::json::object();
  meta["name"] = RetrainJobName(c);
  meta["namespace"] = c.ns;
  if (!meta.contains("labels") || !meta["labels"].is_object())
    meta["labels"] = nlohmann::json::object();
  meta["labels"][kMonitorLabel] = c.monitor;
  meta["labels"][kAlertLabel] = c.alert.size() > 63 ? c.alert.substr(0, 63) : c.alert;
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) {
    meta["annotations"] = nlohmann::json::object();
  }
  auto& a = meta["annotations"];
  a["modelmonitor.io/alert"] = c.alert;
  a["modelmonitor.io/value"] = c.value ? FormatValue(*c.value) : "";
  a["modelmonitor.io/window"] = c.window;
  a["modelmonitor.io/episode"] = c.episode;
  a["modelmonitor.io/data-from"] = c.data_from;
  a["modelmonitor.io/data-to"] = c.data_to;
  meta["ownerReferences"] = nlohmann::json::array({{{"apiVersion", "modelmonitor.io/v1alpha1"},
                                                    {"kind", "ModelMonitor"},
                                                    {"name", c.monitor},
                                                    {"uid", c.monitor_uid},
                                                    {"blockOwnerDeletion", false}}});
  job["metadata"] = std::move(meta);
  job["spec"] = job_template["spec"];
  const nlohmann::json env = nlohmann::json::array({
      {{"name", "MM_MONITOR"}, {"value", c.monitor}},
      {{"name", "MM_NAMESPACE"}, {"value", c.ns}},
      {{"name", "MM_ALERT"}, {"value", c.alert}},
      {{"name", "MM_VALUE"}, {"value", c.value ? FormatValue(*c.value) : ""}},
      {{"name", "MM_WINDOW"}, {"value", c.window}},
      {{"name", "MM_EPISODE"}, {"value", c.episode}},
      {{"name", "MM_DATA_FROM"}, {"value", c.data_from}},
      {{"name", "MM_DATA_TO"}, {"value", c.data_to}},
  });
  auto& pod = job["spec"]["template"];
  if (!pod.contains("metadata") || !pod["metadata"].is_object())
    pod["metadata"] = nlohmann::json::object();
  if (!pod["metadata"].contains("labels") || !pod["metadata"]["labels"].is_object()) {
    pod["metadata"]["labels"] = nlohmann::json::object();
  }
  pod["metadata"]["labels"][kMonitorLabel] = c.monitor;
  if (!pod.contains("spec") || !pod["spec"].contains("containers") ||
      !pod["spec"]["containers"].is_array()) {
    return Error{"remediation.retrain.jobTemplate.spec.template.spec.containers is required"};
  }
  for (auto& container : pod["spec"]["containers"]) {
    if (!container.is_object()) continue;
    if (!container.contains("env") || !container["env"].is_array()) {
      container["env"] = nlohmann::json::array();
    }
    for (const auto& e : env) container["env"].push_back(e);
  }
  return job;
}

std::optional<std::string> JobOutcome(const nlohmann::json& job) {
  const auto status = job.value("status", nlohmann::json::object());
  for (const auto& c : status.value("conditions", nlohmann::json::array())) {
    if (!c.is_object() || c.value("status", "") != "True") continue;
    const std::string type = c.value("type", "");
    if (type == "Complete" || type == "Failed") return type;
  }
  return std::nullopt;
}

}  // namespace mm::op
