#pragma once

#include <string>

#include "common/result.h"

namespace mm::tls {

// What a TLS server needs and what clients must trust: the CA bundle (PEM, one or
// more CAs; goes into the webhook's caBundle), the serving certificate and its key.
struct ServingCertificates {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// Reads certificates mounted from a kubernetes.io/tls Secret, as cert-manager
// writes them: <dir>/tls.crt, <dir>/tls.key and <dir>/ca.crt. Checks that the key
// belongs to the certificate. ca.crt may be absent when the caBundle is injected
// by someone else (cert-manager's CA injector); then ca_pem is empty.
Result<ServingCertificates> LoadMountedCertificates(const std::string& dir);

}  // namespace mm::tls
