#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/http/server.h"
#include "common/kube/kube_client.h"
#include "common/result.h"
#include "common/tls/serving_certificates.h"
#include "operator/webhook/certificate_secret.h"
#include "operator/webhook/monitor_lookup.h"
#include "operator/webhook/pod_mutator.h"
#include "operator/webhook/webhook_configuration.h"

namespace mm::webhook {

struct SidecarInjectorOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8443;  // 0: any free port (tests); see SidecarInjector::port()
  // Handlers block on the monitor lookup (an API call with ApiMonitorLookup), so
  // several threads keep concurrent pod creations from queueing (bench/admission_bench).
  int threads = 8;
  SidecarDefaults sidecar;

  // Certificates: the operator's own (CA and serving certificate in a Secret,
  // renewed before expiry), or mounted files (cert-manager) when `cert_dir` is set.
  CertificateSecretOptions secret;
  std::string cert_dir;

  // The MutatingWebhookConfiguration: created or updated at start when
  // `manage_configuration` (otherwise the chart owns it, and only its caBundle is
  // set, unless `patch_ca_bundle` is false, e.g. with cert-manager's CA injector).
  // "{port}" in configuration.url becomes the listening port (out-of-cluster runs
  // and tests: "https://127.0.0.1:{port}/mutate-v1-pod" with port 0).
  WebhookConfigurationOptions configuration;
  bool manage_configuration = true;
  bool patch_ca_bundle = true;

  std::chrono::seconds certificate_check_interval{std::chrono::hours(1)};
  // Called (from the refresh thread) after a new serving certificate is in use,
  // so other servers sharing it (the operator API) switch too.
  std::function<void(const tls::ServingCertificates&)> on_new_certificates;
  std::function<tls::Clock::time_point()> now = [] { return tls::Clock::now(); };
};

// The admission webhook as the operator runs it: HTTPS on POST /mutate-v1-pod
// (and GET /healthz), certificates obtained and kept fresh, the webhook
// configuration pointing at it with the right caBundle. Start() returns once
// the server is listening and the configuration is in place.
class SidecarInjector {
 public:
  static Result<std::unique_ptr<SidecarInjector>> Start(kube::KubeClient& client,
                                                        MonitorLookup& monitors,
                                                        SidecarInjectorOptions options);
  ~SidecarInjector();  // stops
  SidecarInjector(const SidecarInjector&) = delete;
  SidecarInjector& operator=(const SidecarInjector&) = delete;

  uint16_t port() const { return server_->port(); }
  // The CA bundle clients must trust (what the caBundle holds).
  std::string ca_bundle() const;
  // The certificates being served now.
  tls::ServingCertificates certificates() const;

  // Re-reads or renews the certificates now; swaps the server's TLS context and
  // patches the caBundle when they changed. Called periodically by a thread.
  Status RefreshCertificates();
  void Stop();

 private:
  SidecarInjector(kube::KubeClient& client, MonitorLookup& monitors,
                  SidecarInjectorOptions options);
  Result<tls::ServingCertificates> LoadCertificates();
  Status Apply(const tls::ServingCertificates& certs, bool first);
  void RefreshLoop();

  kube::KubeClient& client_;
  SidecarInjectorOptions options_;
  PodMutator mutator_;
  std::unique_ptr<http::Server> server_;

  mutable std::mutex mu_;
  tls::ServingCertificates current_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread refresher_;
};

}  // namespace mm::webhook
