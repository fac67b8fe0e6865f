#include "operator/webhook/webhook_configuration.h"

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "operator/webhook/annotations.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

constexpr char kApiVersion[] = "admissionregistration.k8s.io/v1";
constexpr int kConflictRetries = 5;

std::string ConfigurationPath(const std::string& name = "") {
  return kube::ResourcePath{kApiVersion, "mutatingwebhookconfigurations", "", name}.Url();
}

}  // namespace

json BuildWebhookConfiguration(const WebhookConfigurationOptions& o) {
  json client_config = json::object();
  if (!o.url.empty()) {
    client_config["url"] = o.url;
  } else {
    client_config["service"] = {{"namespace", o.service_namespace},
                                {"name", o.service_name},
                                {"path", o.path},
                                {"port", o.service_port}};
  }
  if (!o.ca_bundle_pem.empty()) client_config["caBundle"] = Base64Encode(o.ca_bundle_pem);
  json webhook = {
      {"name", "sidecar-injector.modelmonitor.io"},
      {"admissionReviewVersions", json::array({"v1"})},
      {"clientConfig", client_config},
      {"rules", json::array({{{"apiGroups", json::array({""})},
                              {"apiVersions", json::array({"v1"})},
                              {"operations", json::array({"CREATE"})},
                              {"resources", json::array({"pods"})},
                              {"scope", "Namespaced"}}})},
      {"failurePolicy", "Ignore"},
      {"sideEffects", "None"},
      {"timeoutSeconds", o.timeout_seconds},
      {"reinvocationPolicy", "IfNeeded"},
      {"matchPolicy", "Equivalent"},
      {"namespaceSelector",
       {{"matchExpressions", json::array({{{"key", "kubernetes.io/metadata.name"},
                                           {"operator", "NotIn"},
                                           {"values", json::array({"kube-system"})}},
                                          {{"key", kInjectionNamespaceLabel},
                                           {"operator", "NotIn"},
                                           {"values", json::array({"disabled"})}}})}}},
      {"objectSelector",
       {{"matchExpressions", json::array({{{"key", kInjectLabel},
                                           {"operator", "NotIn"},
                                           {"values", json::array({"false"})}}})}}},
  };
  return {
      {"apiVersion", kApiVersion},
      {"kind", "MutatingWebhookConfiguration"},
      {"metadata", {{"name", o.name}, {"labels", {{"app.kubernetes.io/name", "modelmonitor"}}}}},
      {"webhooks", json::array({webhook})}};
}

Status ApplyWebhookConfiguration(kube::KubeClient& client, const json& configuration) {
  const std::string name = configuration["metadata"]["name"];
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    const auto created = client.Create(ConfigurationPath(), configuration);
    if (created.ok()) return OkStatus();
    if (created.status != 409) {
      return Error{"cannot create MutatingWebhookConfiguration " + name + ": " + created.Message()};
    }
    const auto existing = client.Get(ConfigurationPath(name));
    if (existing.status == 404) continue;  // deleted in between: create again
    if (!existing.ok()) {
      return Error{"cannot read MutatingWebhookConfiguration " + name + ": " + existing.Message()};
    }
    json desired = configuration;
    desired["metadata"]["resourceVersion"] = existing.body["metadata"]["resourceVersion"];
    const auto replaced = client.Replace(ConfigurationPath(name), desired);
    if (replaced.ok()) return OkStatus();
    if (replaced.status != 409) {
      return Error{"cannot update MutatingWebhookConfiguration " + name + ": " +
                   replaced.Message()};
    }
  }
  return Error{"MutatingWebhookConfiguration " + name + " kept changing; gave up after " +
               std::to_string(kConflictRetries) + " conflicts"};
}

Status PatchCaBundle(kube::KubeClient& client, const std::string& name,
                     const std::string& ca_bundle_pem) {
  const std::string encoded = Base64Encode(ca_bundle_pem);
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    auto current = client.Get(ConfigurationPath(name));
    if (!current.ok()) {
      return Error{"cannot read MutatingWebhookConfiguration " + name + ": " + current.Message()};
    }
    json& object = current.body;
    bool changed = false;
    for (auto& w : object["webhooks"]) {
      if (w["clientConfig"].value("caBundle", "") != encoded) {
        w["clientConfig"]["caBundle"] = encoded;
        changed = true;
      }
    }
    if (!changed) return OkStatus();
    const auto replaced = client.Replace(ConfigurationPath(name), object);
    if (replaced.ok()) return OkStatus();
    if (replaced.status != 409) {
      return Error{"cannot set caBundle of MutatingWebhookConfiguration " + name + ": " +
                   replaced.Message()};
    }
  }
  return Error{"MutatingWebhookConfiguration " + name + " kept changing; caBundle not set after " +
               std::to_string(kConflictRetries) + " conflicts"};
}

}  // namespace mm::webhook
