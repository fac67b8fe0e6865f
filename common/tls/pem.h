#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mm::tls {

// Owning handles for OpenSSL objects, so no path leaks on an early return.
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// The last OpenSSL error queue entries as text (and clears the queue), for messages.
std::string OpenSslError();

// PEM "CERTIFICATE" blocks <-> X509. Decoding names what was expected when it fails.
Result<X509Ptr> DecodeCertificatePem(std::string_view pem);
// Every certificate in a bundle (a caBundle may hold the old and the new CA).
Result<std::vector<X509Ptr>> DecodeCertificateBundlePem(std::string_view pem);
Result<std::string> EncodeCertificatePem(X509* cert);

// PEM private keys (PKCS#8 "PRIVATE KEY", or the traditional "EC/RSA PRIVATE KEY").
Result<EvpPkeyPtr> DecodePrivateKeyPem(std::string_view pem);
// Unencrypted PKCS#8: the key lives in a Secret or a mounted file, never on disk elsewhere.
Result<std::string> EncodePrivateKeyPem(EVP_PKEY* key);

}  // namespace mm::tls
