#include "tests/support/deployments.h"

namespace mm::testing {

using nlohmann::json;

json ModelContainer(const std::string& image, int port, const std::string& port_name) {
  json c = {{"name", "model"}, {"image", image}};
  if (port != 0) c["ports"] = json::array({{{"name", port_name}, {"containerPort", port}}});
  return c;
}

json PodTemplate(const json& labels, const json& container, const json& annotations,
                 const json& spec_extra) {
  json metadata = {{"labels", labels}};
  if (!annotations.empty()) metadata["annotations"] = annotations;
  json spec = {{"containers", json::array({container})}};
  spec.update(spec_extra);
  return {{"metadata", std::move(metadata)}, {"spec", std::move(spec)}};
}

json Deployment(const std::string& name, int replicas, const json& pod_template,
                const json& selector) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", selector}}},
            {"template", pod_template}}}};
}

json Deployment(const std::string& name, int replicas, const json& container) {
  const json labels = {{"app", name}};
  return Deployment(name, replicas, PodTemplate(labels, container), labels);
}

}  // namespace mm::testing
