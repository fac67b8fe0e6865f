#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::webhook {

// Where the API server calls the webhook: a Service in the cluster, or a URL
// (tests and out-of-cluster development: https://127.0.0.1:<port>/mutate-v1-pod).
struct WebhookConfigurationOptions {
  std::string name = "modelmonitor-sidecar-injector";
  std::string service_namespace = "modelmonitor";
  std::string service_name = "modelmonitor-webhook";
  int service_port = 443;
  std::string url;  // when set, used instead of the Service
  std::string path = "/mutate-v1-pod";
  std::string ca_bundle_pem;
  int timeout_seconds = 5;
};

// The admissionregistration.k8s.io/v1 MutatingWebhookConfiguration:
// failurePolicy Ignore (an operator outage never blocks pod creation),
// sideEffects None, a small timeout, reinvocationPolicy IfNeeded (the pod is
// seen again after later webhooks; the injected annotation keeps it idempotent),
// pods CREATE only, not in kube-system nor in namespaces labelled
// modelmonitor.io/injection=disabled, and not for pods labelled modelmonitor.io/inject=false.
nlohmann::json BuildWebhookConfiguration(const WebhookConfigurationOptions& options);

// Creates the configuration, or replaces the existing one (keeping its resourceVersion).
Status ApplyWebhookConfiguration(kube::KubeClient& client, const nlohmann::json& configuration);

// Sets caBundle on every webhook of the named configuration (a JSON Patch with a
// test of the resourceVersion would be stricter; a merge of the whole list is what
// the API allows for an array of webhooks, so read-modify-replace with retry).
Status PatchCaBundle(kube::KubeClient& client, const std::string& name,
                     const std::string& ca_bundle_pem);

}  // namespace mm::webhook
