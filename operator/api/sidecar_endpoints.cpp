#include "operator/api/sidecar_endpoints.h"

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "operator/reconcile/monitor_view.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/injection_report.h"

namespace mm::op {
namespace {

using nlohmann::json;

const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

std::string Str(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

Result<SidecarEndpoint> SidecarFinder::EndpointOf(const std::string& monitor, const json& pod) {
  const json& meta = At(pod, "metadata");
  SidecarEndpoint e;
  e.pod = Str(meta, "name");
  if (webhook::ClassifyMatchedPod(monitor, pod) != webhook::PodInjection::kInjected) {
    return Error{"pod " + e.pod + " does not carry this monitor's sidecar"};
  }
  const json& status = At(pod, "status");
  if (Str(status, "phase") != "Running") return Error{"pod " + e.pod + " is not Running"};
  e.ip = Str(status, "podIP");
  if (e.ip.empty()) return Error{"pod " + e.pod + " has no IP yet"};
  const json& inits = At(At(pod, "spec"), "initContainers");
  if (inits.is_array()) {
    for (const auto& c : inits) {
      if (Str(c, "name") != webhook::kSidecarContainerName || !At(c, "ports").is_array()) continue;
      for (const auto& p : c["ports"]) {
        const json& number = At(p, "containerPort");
        if (Str(p, "name") == "mm-admin" && number.is_number_integer()) {
          e.admin_port = static_cast<uint16_t>(number.get<int>());
        }
      }
    }
  }
  if (e.admin_port == 0) return Error{"pod " + e.pod + " has no sidecar admin port (mm-admin)"};
  const json& conditions = At(status, "conditions");
  if (conditions.is_array()) {
    for (const auto& c : conditions) {
      if (Str(c, "type") == "Ready") e.ready = Str(c, "status") == "True";
    }
  }
  return e;
}

SidecarFinder::Found SidecarFinder::Find(const std::string& ns, const std::string& name) {
  Found f;
  const std::string monitor_key = ns + "/" + name;
  const auto monitor = client_.Get(kube::ResourcePath{kApiVersion, kResource, ns, name}.Url());
  if (monitor.status == 404) {
    f.problem = Problem::kNotFound;
    f.message = "ModelMonitor " + monitor_key + " does not exist";
    return f;
  }
  if (!monitor.ok()) {
    f.problem = Problem::kUnavailable;
    f.message = "cannot read ModelMonitor " + monitor_key + ": " + monitor.Message();
    return f;
  }
  const MonitorView view = MonitorView::FromJson(monitor.body);
  if (!view.selector) {
    f.problem = Problem::kUnavailable;
    f.message = "ModelMonitor " + monitor_key + " has no usable selector: " + view.selector_error;
    return f;
  }
  const std::string secret = api::TokenSecretName(name);
  const auto tokens = client_.Get(kube::ResourcePath{"v1", "secrets", ns, secret}.Url());
  if (!tokens.ok()) {
    f.problem = Problem::kUnavailable;
    f.message = "cannot read the label token (Secret " + ns + "/" + secret +
                ", created by the operator's reconciler): " + tokens.Message();
    return f;
  }
  auto token = Base64Decode(Str(At(tokens.body, "data"), std::string(api::kLabelTokenKey).c_str()));
  if (!token || token->empty()) {
    f.problem = Problem::kUnavailable;
    f.message = "Secret " + ns + "/" + secret + " has no " + std::string(api::kLabelTokenKey);
    return f;
  }
  f.sidecars.label_token = std::move(token).value();
  const auto pods = client_.Get(
      kube::ResourcePath{"v1", "pods", ns, "", "", {{"labelSelector", view.selector->ToQuery()}}}
          .Url());
  if (!pods.ok()) {
    f.problem = Problem::kUnavailable;
    f.message = "cannot list the pods of ModelMonitor " + monitor_key + ": " + pods.Message();
    return f;
  }
  const json& items = At(pods.body, "items");
  if (items.is_array()) {
    for (const auto& pod : items) {
      if (auto e = EndpointOf(name, pod)) f.sidecars.endpoints.push_back(std::move(e).value());
    }
  }
  return f;
}

}  // namespace mm::op
