#include "operator/webhook/sidecar_injector.h"

#include "common/log.h"
#include "common/tls/server_context.h"
#include "operator/webhook/admission_handler.h"

namespace mm::webhook {

SidecarInjector::SidecarInjector(kube::KubeClient& client, MonitorLookup& monitors,
                                 SidecarInjectorOptions options)
    : client_(client), options_(std::move(options)), mutator_(monitors, options_.sidecar) {}

Result<std::unique_ptr<SidecarInjector>> SidecarInjector::Start(kube::KubeClient& client,
                                                                MonitorLookup& monitors,
                                                                SidecarInjectorOptions options) {
  std::unique_ptr<SidecarInjector> injector(
      new SidecarInjector(client, monitors, std::move(options)));
  auto certs = injector->LoadCertificates();
  if (!certs) return certs.error();
  auto tls = tls::MakeServerContext(certs->cert_pem, certs->key_pem);
  if (!tls) return tls.error();

  const auto& o = injector->options_;
  http::ServerOptions server;
  server.address = o.address;
  server.port = o.port;
  server.threads = o.threads;
  server.max_body_bytes = AdmissionLimits{}.max_body_bytes;
  server.read_timeout = std::chrono::seconds(10);  // the API server gives up after timeoutSeconds
  server.tls = std::move(tls).value();
  injector->server_ = std::make_unique<http::Server>(std::move(server));
  injector->server_->Handle("POST", kMutatePodPath, MakeAdmissionHandler(injector->mutator_));
  injector->server_->Handle("GET", "/healthz",
                            [](const http::Request&) { return http::Response::Text(200, "ok"); });
  if (auto s = injector->server_->Start(); !s) {
    return Error{"webhook server on " + o.address + ":" + std::to_string(o.port) + ": " +
                 s.error().message};
  }
  if (auto s = injector->Apply(certs.value(), /*first=*/true); !s) return s.error();
  injector->refresher_ = std::thread([p = injector.get()] { p->RefreshLoop(); });
  log::Info("sidecar injection webhook serving",
            {{"port", injector->port()}, {"path", kMutatePodPath}});
  return injector;
}

SidecarInjector::~SidecarInjector() { Stop(); }

void SidecarInjector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  if (server_) server_->Stop();
}

std::string SidecarInjector::ca_bundle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.ca_pem;
}

tls::ServingCertificates SidecarInjector::certificates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Result<tls::ServingCertificates> SidecarInjector::LoadCertificates() {
  if (!options_.cert_dir.empty()) return tls::LoadMountedCertificates(options_.cert_dir);
  return EnsureWebhookCertificates(client_, options_.secret, options_.now());
}

Status SidecarInjector::Apply(const tls::ServingCertificates& certs, bool first) {
  tls::ServingCertificates previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = current_;
  }
  if (first && options_.manage_configuration) {
    WebhookConfigurationOptions c = options_.configuration;
    if (options_.patch_ca_bundle) c.ca_bundle_pem = certs.ca_pem;
    if (const auto at = c.url.find("{port}"); at != std::string::npos) {
      c.url.replace(at, 6, std::to_string(port()));
    }
    if (auto s = ApplyWebhookConfiguration(client_, BuildWebhookConfiguration(c)); !s) return s;
  } else if (options_.patch_ca_bundle && !certs.ca_pem.empty() &&
             (first || certs.ca_pem != previous.ca_pem)) {
    if (auto s = PatchCaBundle(client_, options_.configuration.name, certs.ca_pem); !s) return s;
  }
  // After the caBundle: a new CA is trusted (beside the old one) before a
  // certificate it signed is served.
  if (!first && certs.cert_pem != previous.cert_pem) {
    auto tls = tls::MakeServerContext(certs.cert_pem, certs.key_pem);
    if (!tls) return tls.error();
    server_->SetTlsContext(std::move(tls).value());
    log::Info("webhook serving certificate replaced");
  }
  // Recorded only when all of it worked, so a failed step is retried next time.
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = certs;
  }
  if (!first && certs.cert_pem != previous.cert_pem && options_.on_new_certificates) {
    options_.on_new_certificates(certs);
  }
  return OkStatus();
}

Status SidecarInjector::RefreshCertificates() {
  auto certs = LoadCertificates();
  if (!certs) return certs.error();
  return Apply(certs.value(), /*first=*/false);
}

void SidecarInjector::RefreshLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.certificate_check_interval, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (auto s = RefreshCertificates(); !s) {
      // The current certificate stays in use; renewal starts with a third of the
      // lifetime left, so there are many hourly retries before it expires.
      log::Warning("webhook certificate refresh failed", {{"error", s.error().message}});
    }
    lock.lock();
  }
}

}  // namespace mm::webhook
