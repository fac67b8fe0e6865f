// modelmonitor-operator: watches ModelMonitors, injects the sidecar, evaluates
// alerts and repairs models. main only parses flags and wires objects.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "common/api/duration.h"
#include "common/kube/kubeconfig.h"
#include "common/kube/rest_kube_client.h"
#include "common/log.h"
#include "operator/controller.h"
#include "operator/controller_options.h"
#include "operator/endpoints/alert_receiver.h"
#include "operator/endpoints/api_flags.h"
#include "operator/endpoints/api_server.h"
#include "operator/endpoints/kube_authenticator.h"
#include "operator/endpoints/label_gateway.h"
#include "operator/endpoints/shared_secret_authenticator.h"
#include "operator/health_server.h"
#include "operator/options.h"
#include "operator/webhook/cached_monitor_lookup.h"
#include "operator/webhook/webhook_flags.h"

int main(int argc, char** argv) {
  CLI::App app{"modelmonitor-operator: keeps ML models healthy on Kubernetes"};
  app.set_version_flag("--version", std::string("modelmonitor-operator ") + MM_VERSION);
  mm::op::OperatorOptions options;
  mm::op::AddFlags(app, &options);
  mm::webhook::SidecarInjectorOptions webhook_options;
  mm::webhook::AddWebhookFlags(app, &webhook_options);
  mm::op::ApiFlags api_flags;
  mm::op::AddApiFlags(app, &api_flags);
  CLI11_PARSE(app, argc, argv);
  mm::webhook::ResolveWebhookOptions(&webhook_options);
  mm::op::AddApiCertificateNames(api_flags, &webhook_options);
  mm::log::Level level;
  if (mm::log::ParseLevel(options.log_level, &level)) mm::log::SetMinLevel(level);
  auto controller_options = mm::op::MakeControllerOptions(options);
  if (!controller_options) {
    std::cerr << controller_options.error().message << "\n";
    return 2;
  }

  auto config = mm::kube::ResolveClusterConfig(options.kubeconfig);
  if (!config) {
    mm::log::Error("no cluster configuration", {{"error", config.error().message}});
    return 1;
  }
  config->user_agent = mm::op::kUserAgent;
  mm::kube::RestKubeClient client(config.value());
  if (options.check_connection) {
    auto version = client.Get("/version");
    if (!version.ok()) {
      mm::log::Error("cannot reach the Kubernetes API",
                     {{"server", config->server}, {"error", version.Message()}});
      return 1;
    }
    std::cout << version.body.value("gitVersion", "unknown") << "\n";
    return 0;
  }

  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mm::op::OperatorMetrics metrics;
  mm::op::Controller controller(client, controller_options.value(), &metrics);
  mm::op::HealthServer health(
      options.health_address, options.health_port, [&] { return controller.Synced(); }, &metrics);
  if (auto s = health.Start(); !s) {
    mm::log::Error("cannot serve the health port", {{"error", s.error().message}});
    return 1;
  }
  mm::log::Info("operator starting", {{"identity", controller_options->identity},
                                      {"health_port", health.port()},
                                      {"server", config->server}});
  controller.Start();

  // The webhook serves on every replica (the API server calls any of them),
  // from the controller's ModelMonitor cache once it has synced.
  mm::webhook::ApiMonitorLookup api_lookup(client);
  mm::webhook::CachedMonitorLookup lookup(controller.monitors(), api_lookup);
  std::atomic<mm::op::ApiServer*> api_server{nullptr};
  webhook_options.on_new_certificates = [&api_server](const mm::tls::ServingCertificates& c) {
    if (auto* api = api_server.load()) (void)api->UseCertificates(c);
  };
  std::unique_ptr<mm::webhook::SidecarInjector> injector;
  if (options.webhook) {
    auto started = mm::webhook::SidecarInjector::Start(client, lookup, webhook_options);
    if (!started) {
      mm::log::Error("cannot start the webhook", {{"error", started.error().message}});
      return 1;
    }
    injector = std::move(started).value();
  }
  mm::op::KubeAuthenticator kube_authenticator(client);
  std::string alert_secret;
  if (!api_flags.alert_token_file.empty()) {
    auto secret = mm::op::ReadSharedSecret(api_flags.alert_token_file);
    if (!secret) {
      mm::log::Error("--alert-receiver-token-file", {{"error", secret.error().message}});
      return 2;
    }
    alert_secret = std::move(secret).value();
  }
  mm::op::SharedSecretAuthenticator authenticator(alert_secret, kube_authenticator);
  std::unique_ptr<mm::op::ApiServer> api;
  if (options.api) {
    auto tls = mm::op::ApiTlsContext(api_flags, client, webhook_options, injector.get());
    if (!tls) {
      mm::log::Error("no certificates for the operator API", {{"error", tls.error().message}});
      return 1;
    }
    api_flags.server.tls = std::move(tls).value();
    api = std::make_unique<mm::op::ApiServer>(api_flags.server, authenticator);
    mm::op::RegisterLabelGateway(*api, client, mm::op::MakeFanoutOptions(api_flags));
    mm::op::RegisterAlertReceiver(*api, client);
    if (auto s = api->Start(); !s) {
      mm::log::Error("cannot start the operator API", {{"error", s.error().message}});
      return 1;
    }
    api_server = api.get();
  }

  int sig = 0;
  sigwait(&signals, &sig);
  mm::log::Info("shutting down", {{"signal", strsignal(sig)}});
  const int64_t grace_ms = mm::api::ParseMilliseconds(options.shutdown_timeout)
                               .value_or(std::chrono::seconds(20))
                               .count();
  std::thread([grace_ms] {  // a stuck shutdown must not outlive the grace period
    std::this_thread::sleep_for(std::chrono::milliseconds(grace_ms));
    mm::log::Error("shutdown timed out; exiting");
    std::_Exit(1);
  })
      .detach();
  api_server = nullptr;
  if (api) api->Stop();
  if (injector) injector->Stop();
  controller.Stop();
  health.Stop();
  mm::log::Info("stopped");
  return 0;
}
