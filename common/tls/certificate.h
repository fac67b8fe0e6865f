#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mm::tls {

using Clock = std::chrono::system_clock;

// A certificate and its private key, both PEM.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// What a serving certificate is issued for.
struct ServingCertificateRequest {
  std::string common_name;             // e.g. "modelmonitor-webhook.modelmonitor.svc"
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365)};
};

// The parts of a certificate the operator decides on.
struct CertificateInfo {
  std::string common_name;
  Clock::time_point not_before;
  Clock::time_point not_after;
  bool is_ca = false;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

// A self-signed CA (ECDSA P-256, SHA-256), valid from `now` minus one hour (clock
// skew between replicas and the API server) for `lifetime`.
Result<KeyPair> CreateCertificateAuthority(const std::string& common_name,
                                           std::chrono::seconds lifetime, Clock::time_point now);

// A serving certificate (serverAuth) for the request's names, signed by `ca`.
Result<KeyPair> CreateServingCertificate(const KeyPair& ca, const ServingCertificateRequest& req,
                                         Clock::time_point now);

Result<CertificateInfo> InspectCertificate(std::string_view cert_pem);

// OK when `cert_pem` chains to one of the CAs in `ca_bundle_pem` at time `now`.
Status VerifyIssuedBy(std::string_view cert_pem, std::string_view ca_bundle_pem,
                      Clock::time_point now);
// OK when the private key belongs to the certificate.
Status VerifyKeyMatches(std::string_view cert_pem, std::string_view key_pem);

// Renew when less than `renew_fraction` of the lifetime is left (default: a third,
// as kubelet and cert-manager do), so there is time to retry before expiry.
bool ShouldRenew(const CertificateInfo& info, Clock::time_point now,
                 double renew_fraction = 1.0 / 3.0);

}  // namespace mm::tls
