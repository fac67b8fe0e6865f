#include "operator/endpoints/api_flags.h"

#include "common/api/duration.h"
#include "common/tls/server_context.h"
#include "operator/options.h"
#include "operator/webhook/certificate_secret.h"

namespace mm::op {

void AddApiFlags(CLI::App& app, ApiFlags* f) {
  app.add_option("--api-address", f->server.address,
                 "Address the operator API's HTTPS server binds")
      ->capture_default_str();
  app.add_option("--api-port", f->server.port,
                 "Port of the operator API (label gateway); 0 picks a free port")
      ->capture_default_str();
  app.add_option("--api-service", f->service,
                 "Service in front of the operator API (its names go into the serving "
                 "certificate, signed by the webhook's CA)")
      ->capture_default_str();
  app.add_option("--api-cert-dir", f->cert_dir,
                 "Serve the API with certificates mounted here (tls.crt, tls.key) instead of the "
                 "operator's own CA");
  app.add_option("--api-fanout-deadline", f->fanout_deadline,
                 "How long the label gateway keeps retrying a sidecar that does not acknowledge")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            auto ms = api::ParseMilliseconds(v);
            return ms && ms->count() > 0 ? ""
                                         : "\"" + v + "\" is not a duration (use 500ms, 5s, 1m)";
          },
          "DURATION"))
      ->capture_default_str();
  app.add_option("--alert-receiver-token-file", f->alert_token_file,
                 "File holding a shared secret (16+ characters) that Alertmanager may send as "
                 "its bearer token to POST /api/v1/alerts, instead of a Kubernetes token")
      ->check(CLI::ExistingFile);
}

void AddApiCertificateNames(const ApiFlags& f, webhook::SidecarInjectorOptions* w) {
  const std::string& ns = w->configuration.service_namespace;
  for (const std::string& name : {f.service, f.service + "." + ns, f.service + "." + ns + ".svc",
                                  f.service + "." + ns + ".svc.cluster.local"}) {
    w->secret.serving.dns_names.push_back(name);
  }
}

FanoutOptions MakeFanoutOptions(const ApiFlags& f) {
  FanoutOptions o;
  auto ms = api::ParseMilliseconds(f.fanout_deadline);
  if (ms && ms->count() > 0) o.deadline = *ms;
  return o;
}

Result<std::shared_ptr<boost::asio::ssl::context>> ApiTlsContext(
    const ApiFlags& f, kube::KubeClient& client, const webhook::SidecarInjectorOptions& w,
    const webhook::SidecarInjector* injector) {
  Result<tls::ServingCertificates> certs = Error{"no certificates"};
  if (!f.cert_dir.empty()) {
    certs = tls::LoadMountedCertificates(f.cert_dir);
  } else if (injector != nullptr) {
    certs = injector->certificates();
  } else if (!w.cert_dir.empty()) {
    certs = tls::LoadMountedCertificates(w.cert_dir);
  } else {
    certs = webhook::EnsureWebhookCertificates(client, w.secret, tls::Clock::now());
  }
  if (!certs) return certs.error();
  return tls::MakeServerContext(certs->cert_pem, certs->key_pem);
}

}  // namespace mm::op
