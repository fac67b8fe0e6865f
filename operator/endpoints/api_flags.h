#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/kube/kube_client.h"
#include "common/result.h"
#include "common/tls/serving_certificates.h"
#include "operator/endpoints/api_server.h"
#include "operator/endpoints/label_fanout.h"
#include "operator/webhook/sidecar_injector.h"

namespace mm::op {

// The operator API's flags (--api-*), documented in docs/operator-api.md.
struct ApiFlags {
  ApiServerOptions server;
  // The Service in front of the API: its names go into the serving certificate
  // the API shares with the webhook (one CA for both, in the webhook's Secret).
  std::string service = "modelmonitor-api";
  std::string cert_dir;  // mounted certificates (cert-manager) instead
  std::string fanout_deadline = "10s";
  // A shared secret Alertmanager may present instead of a Kubernetes token.
  std::string alert_token_file;
};
void AddApiFlags(CLI::App& app, ApiFlags* flags);

// Adds the API Service's DNS names to the certificate the webhook requests
// (call after webhook::ResolveWebhookOptions).
void AddApiCertificateNames(const ApiFlags& flags, webhook::SidecarInjectorOptions* webhook);

FanoutOptions MakeFanoutOptions(const ApiFlags& flags);

// The API's TLS: mounted certificates (--api-cert-dir), else the webhook's while
// it runs (`injector`; renewed with it through on_new_certificates), else the
// webhook's Secret read once.
Result<std::shared_ptr<boost::asio::ssl::context>> ApiTlsContext(
    const ApiFlags& flags, kube::KubeClient& client, const webhook::SidecarInjectorOptions& webhook,
    const webhook::SidecarInjector* injector);

}  // namespace mm::op
