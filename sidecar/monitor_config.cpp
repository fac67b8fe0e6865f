#include "sidecar/monitor_config.h"

#include <charconv>

#include "common/api/model_monitor.h"

namespace mm::sidecar {

namespace {

// The webhook injects not the whole spec but the part a sidecar uses, with the
// monitor's identity: {"monitor": {namespace, name, uid, generation}, "serving",
// "sidecar", "groundTruth"} (operator/webhook/monitor_view.cpp). Selector and
// target mean nothing to a sidecar, but the spec parser requires them: the
// injected form gets stand-ins, then is checked like a whole spec.
nlohmann::json AsSpec(const nlohmann::json& in) {
  if (!in.is_object() || !in.contains("monitor")) return in;
  nlohmann::json spec = in;
  spec.erase("monitor");
  if (!spec.contains("selector")) {
    spec["selector"] = {{"matchLabels", {{"modelmonitor.io/injected", "true"}}}};
  }
  if (!spec.contains("target")) {
    const auto& name = in["monitor"].is_object() ? in["monitor"].value("name", nlohmann::json())
                                                 : nlohmann::json();
    spec["target"] = {{"kind", "Deployment"},
                      {"name", name.is_string() ? name.get<std::string>() : "injected"}};
  }
  return spec;
}

}  // namespace

Status ApplyMonitorSpec(const nlohmann::json& json, SidecarConfig* config) {
  auto parsed = api::ParseModelMonitorSpec(AsSpec(json));
  if (!parsed) return parsed.error();
  const api::ModelMonitorSpec& spec = parsed.value();
  if (!spec.serving.port.is_named()) {
    config->proxy.upstream_port = static_cast<uint16_t>(spec.serving.port.number);
  }
  config->protocol.protocol = std::string(api::ToString(spec.serving.protocol));
  config->protocol.output_path = spec.serving.output_path.empty() ? "$" : spec.serving.output_path;
  config->requests.request_id_header = spec.serving.request_id_header;
  config->requests.sample_rate = spec.sidecar.sample_rate;
  config->requests.max_body_bytes = static_cast<size_t>(spec.sidecar.max_body_bytes);
  if (!spec.ground_truth) {
    config->ground_truth.reset();
    return OkStatus();
  }
  const api::GroundTruthSpec& g = *spec.ground_truth;
  GroundTruthConfig& out =
      config->ground_truth ? *config->ground_truth : config->ground_truth.emplace();
  auto task = ParseTask(api::ToString(g.task));
  if (!task) return task.error();
  out.accuracy.task = task.value();
  out.accuracy.threshold = g.threshold;
  if (out.accuracy.task == Task::kBinary) {
    int positive = 0;
    const std::string& text = g.positive_class;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), positive);
    if (ec != std::errc() || end != text.data() + text.size() || positive < 0 ||
        positive >= kMaxClasses) {
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
