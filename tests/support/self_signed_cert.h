#pragma once

#include <string>

namespace mm::testing {

// A throwaway self-signed certificate and its key, PEM-encoded, made with
// OpenSSL for tests that need a TLS server (EC P-256, valid one day, CN and
// SAN for `host`: "127.0.0.1" gives an IP SAN, anything else a DNS SAN).
struct SelfSignedCert {
  std::string cert_pem;
  std::string key_pem;
};

SelfSignedCert MakeSelfSignedCert(const std::string& host = "127.0.0.1");

}  // namespace mm::testing
