#include "operator/endpoints/sidecar_endpoints.h"

#include "common/api/monitor_tokens.h"
#include "common/api/parsed_monitor.h"
#include "common/base64.h"
#include "common/json_fields.h"
#include "common/kube/resource_path.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/injection_report.h"

namespace mm::op {
using json_fields::At;
using json_fields::StringAt;
using nlohmann::json;

SidecarFinder::Found SidecarFinder::Find(const std::string& ns, const std::string& name) {
  Found f;
  const std::string monitor_key = ns + "/" + name;
  const auto monitor =
      client_.Get(kube::ResourcePath{api::kApiVersion, api::kPlural, ns, name}.Url());
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
  const api::ParsedMonitor read = api::ParsedMonitor::FromJson(monitor.body);
  if (!read.ok()) {
    f.problem = Problem::kUnavailable;
    f.message = "ModelMonitor " + monitor_key + " has an unusable spec: " + read.error;
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
  auto token =
      Base64Decode(StringAt(At(tokens.body, "data"), std::string(api::kLabelTokenKey).c_str()));
  if (!token || token->empty()) {
    f.problem = Problem::kUnavailable;
    f.message = "Secret " + ns + "/" + secret + " has no " + std::string(api::kLabelTokenKey);
    return f;
  }
  f.sidecars.label_token = std::move(token).value();
  const auto pods = client_.Get(
      kube::ResourcePath{"v1", "pods", ns, "", "", {{"labelSelector", read.selector->ToQuery()}}}
          .Url());
  if (!pods.ok()) {
    f.problem = Problem::kUnavailable;
    f.message = "cannot list the pods of ModelMonitor " + monitor_key + ": " + pods.Message();
    return f;
  }
  const json& items = At(pods.body, "items");
  if (items.is_array()) {
    for (const auto& pod : items) {
      if (auto e = SidecarEndpointOf(name, pod))
        f.sidecars.endpoints.push_back(std::move(e).value());
    }
  }
  return f;
}

}  // namespace mm::op
