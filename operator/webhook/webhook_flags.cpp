#include "operator/webhook/webhook_flags.h"

namespace mm::webhook {

void AddWebhookFlags(CLI::App& app, SidecarInjectorOptions* o) {
  app.add_option("--webhook-address", o->address, "Address the webhook's HTTPS server binds")
      ->capture_default_str();
  app.add_option("--webhook-port", o->port, "Port of the webhook's HTTPS server")
      ->capture_default_str();
  app.add_option("--webhook-service", o->configuration.service_name,
                 "Service in front of the webhook (the API server calls it; certificate names)")
      ->capture_default_str();
  app.add_option("--webhook-namespace", o->configuration.service_namespace,
                 "Namespace of that Service and of the certificate Secret")
      ->capture_default_str();
  app.add_option("--webhook-secret", o->secret.name,
                 "Secret holding the webhook's CA and serving certificate")
      ->capture_default_str();
  app.add_option("--webhook-configuration", o->configuration.name,
                 "Name of the MutatingWebhookConfiguration")
      ->capture_default_str();
  app.add_option("--webhook-url", o->configuration.url,
                 "Call the webhook at this URL instead of the Service (out-of-cluster runs; "
                 "{port} is replaced by the listening port)");
  app.add_option("--webhook-cert-dir", o->cert_dir,
                 "Serve certificates mounted here (tls.crt, tls.key, ca.crt; e.g. from "
                 "cert-manager) instead of the operator's own CA");
  app.add_flag("--webhook-manage-configuration,!--no-webhook-manage-configuration",
               o->manage_configuration,
               "Create/update the MutatingWebhookConfiguration at start (default on; off: the "
               "chart owns it)");
  app.add_flag("--webhook-patch-ca-bundle,!--no-webhook-patch-ca-bundle", o->patch_ca_bundle,
               "Set the configuration's caBundle (default on; off with cert-manager's CA "
               "injector)");
  app.add_option("--sidecar-image", o->sidecar.image,
                 "Sidecar image when a ModelMonitor sets no spec.sidecar.image")
      ->capture_default_str();
  app.add_option("--sidecar-cpu", o->sidecar.resources.cpu_request, "Default sidecar CPU request")
      ->capture_default_str();
  app.add_option("--sidecar-memory", o->sidecar.resources.memory_request,
                 "Default sidecar memory request")
      ->capture_default_str();
  app.add_option("--sidecar-cpu-limit", o->sidecar.resources.cpu_limit, "Default sidecar CPU limit")
      ->capture_default_str();
  app.add_option("--sidecar-memory-limit", o->sidecar.resources.memory_limit,
                 "Default sidecar memory limit")
      ->capture_default_str();
}

void ResolveWebhookOptions(SidecarInjectorOptions* o) {
  const std::string& svc = o->configuration.service_name;
  const std::string& ns = o->configuration.service_namespace;
  o->secret.ns = ns;
  o->secret.serving.common_name = svc + "." + ns + ".svc";
  o->secret.serving.dns_names = {svc, svc + "." + ns, svc + "." + ns + ".svc",
                                 svc + "." + ns + ".svc.cluster.local"};
  o->secret.serving.ip_addresses = {"127.0.0.1"};
}

}  // namespace mm::webhook
