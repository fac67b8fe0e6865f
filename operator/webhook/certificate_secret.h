#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/kube/kube_client.h"
#include "common/result.h"
#include "common/tls/certificate.h"
#include "common/tls/serving_certificates.h"

namespace mm::webhook {

// The webhook's own CA and serving certificate, kept in one Secret so every
// replica serves with the same CA (the one in the caBundle).
struct CertificateSecretOptions {
  std::string ns = "modelmonitor";
  std::string name = "modelmonitor-webhook-tls";
  tls::ServingCertificateRequest serving;
  std::string ca_common_name = "modelmonitor-webhook-ca";
  std::chrono::seconds ca_lifetime{std::chrono::hours(24 * 365 * 5)};
  double renew_fraction = 1.0 / 3.0;
};

// The Secret's content: ca.crt may hold two CAs (the new one first) while an
// old one is still trusted by pods' caches; ca.key signs with the first.
struct StoredCertificates {
  std::string ca_bundle_pem;  // ca.crt
  std::string ca_key_pem;     // ca.key
  std::string cert_pem;       // tls.crt
  std::string key_pem;        // tls.key
};

// What to store now: nullopt when `stored` is valid, covers the requested names
// and is not due for renewal; else the renewed certificates (a new serving
// certificate, and a new CA when the CA is due or unusable, keeping the old CA
// in the bundle while it is valid so clients that still trust only it keep working).
Result<std::optional<StoredCertificates>> PlanCertificates(
    const std::optional<StoredCertificates>& stored, const CertificateSecretOptions& options,
    tls::Clock::time_point now);

// Reads the Secret and returns the certificates to serve with, creating or
// renewing them as needed. Two replicas starting together race to create the
// Secret: the loser gets 409 AlreadyExists, re-reads, and uses what is there.
// Renewal replaces the Secret with its resourceVersion, so a concurrent renewal
// conflicts (409) and is likewise resolved by re-reading.
Result<tls::ServingCertificates> EnsureWebhookCertificates(kube::KubeClient& client,
                                                           const CertificateSecretOptions& options,
                                                           tls::Clock::time_point now);

}  // namespace mm::webhook
