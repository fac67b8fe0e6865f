#include "sidecar/reload_plan.h"

namespace mm::sidecar {

ReloadPlan PlanReload(const SidecarConfig& live, const SidecarConfig& next) {
  ReloadPlan plan{live, {}, {}};
  SidecarConfig& out = plan.config;
  out.monitor_spec = next.monitor_spec;
  auto reload = [&plan](const char* path, auto& field, const auto& value) {
    if (field == value) return;
    field = value;
    plan.reloaded.emplace_back(path);
  };
  auto restart = [&plan](const char* path, bool changed) {
    if (changed) plan.restart_required.emplace_back(path);
  };
  reload("spec.serving.protocol", out.protocol.protocol, next.protocol.protocol);
  reload("spec.serving.outputPath", out.protocol.output_path, next.protocol.output_path);
  reload("spec.serving.requestIdHeader", out.requests.request_id_header,
         next.requests.request_id_header);
  reload("spec.sidecar.sampleRate", out.requests.sample_rate, next.requests.sample_rate);
  reload("spec.sidecar.maxBodyBytes", out.requests.max_body_bytes, next.requests.max_body_bytes);
  restart("spec.serving.port", live.proxy.upstream_port != next.proxy.upstream_port);

  const auto& was = live.ground_truth;
  const auto& now = next.ground_truth;
  if (was.has_value() != now.has_value()) {
    restart("spec.groundTruth", true);
    return plan;
  }
  if (!was) return plan;
  restart("spec.groundTruth.task", was->accuracy.task != now->accuracy.task);
  restart("spec.groundTruth.positiveClass",
          was->accuracy.positive_class != now->accuracy.positive_class);
  restart("spec.groundTruth.threshold", was->accuracy.threshold != now->accuracy.threshold);
  StoreLimits& limits = out.ground_truth->limits;
  reload("spec.groundTruth.maxLabelDelay", limits.max_label_delay, now->limits.max_label_delay);
  reload("spec.groundTruth.maxPending", limits.max_pending, now->limits.max_pending);
  return plan;
}

}  // namespace mm::sidecar
