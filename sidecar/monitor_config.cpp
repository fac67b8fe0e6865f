#include "sidecar/monitor_config.h"

#include <charconv>

#include "common/api/sidecar_monitor_config.h"

namespace mm::sidecar {

Status ApplyMonitorSpec(const nlohmann::json& json, SidecarConfig* config) {
  auto parsed = api::ParseSidecarMonitorConfig(json);
  if (!parsed) return parsed.error();
  const api::SidecarMonitorConfig& monitor = parsed.value();
  if (!monitor.serving.port.is_named()) {
    config->proxy.upstream_port = static_cast<uint16_t>(monitor.serving.port.number);
  }
  config->protocol.protocol = monitor.serving.protocol;
  config->protocol.output_path =
      monitor.serving.output_path.empty() ? "$" : monitor.serving.output_path;
  config->requests.request_id_header = monitor.serving.request_id_header;
  config->requests.sample_rate = monitor.sample_rate;
  config->requests.max_body_bytes = static_cast<size_t>(monitor.max_body_bytes);
  if (!monitor.ground_truth) {
    config->ground_truth.reset();
    return OkStatus();
  }
  const api::GroundTruthSpec& g = *monitor.ground_truth;
  GroundTruthConfig& out =
      config->ground_truth ? *config->ground_truth : config->ground_truth.emplace();
  out.accuracy.task = g.task;
  out.accuracy.threshold = g.threshold;
  if (out.accuracy.task == api::Task::kBinaryClassification) {
    int positive = 0;
    const std::string& text = g.positive_class;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), positive);
    if (ec != std::errc() || end != text.data() + text.size() || positive < 0 ||
        positive >= metrics::kMaxClasses) {
      return Error{"spec.groundTruth.positiveClass: \"" + text +
                   "\" is not a class index; the sidecar joins integer labels, so give the "
                   "positive class's index (e.g. \"1\")"};
    }
    out.accuracy.positive_class = positive;
  }
  out.limits.max_label_delay =
      std::chrono::duration_cast<std::chrono::milliseconds>(g.max_label_delay).count();
  out.limits.max_pending = g.max_pending;
  return OkStatus();
}

}  // namespace mm::sidecar
