#include "common/tls/pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

namespace mm::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

Result<BioPtr> ReadBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return Error{"PEM input is too large"};
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return Error{"cannot allocate a memory BIO: " + OpenSslError()};
  return bio;
}

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

}  // namespace

std::string OpenSslError() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

Result<X509Ptr> DecodeCertificatePem(std::string_view pem) {
  auto bio = ReadBio(pem);
  if (!bio) return bio.error();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return Error{"not a PEM certificate (expected a \"-----BEGIN CERTIFICATE-----\" block): " +
                 OpenSslError()};
  }
  return cert;
}

Result<std::vector<X509Ptr>> DecodeCertificateBundlePem(std::string_view pem) {
  auto bio = ReadBio(pem);
  if (!bio) return bio.error();
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line", which is not an error here
  if (certs.empty()) {
    return Error{"no PEM certificate in the bundle (expected \"-----BEGIN CERTIFICATE-----\")"};
  }
  return certs;
}

Result<std::string> EncodeCertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return Error{"cannot PEM-encode the certificate: " + OpenSslError()};
  }
  return Drain(bio.get());
}

Result<EvpPkeyPtr> DecodePrivateKeyPem(std::string_view pem) {
  auto bio = ReadBio(pem);
  if (!bio) return bio.error();
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, nullptr, nullptr));
  if (!key) {
    return Error{"not an unencrypted PEM private key (expected \"-----BEGIN PRIVATE KEY-----\"): " +
                 OpenSslError()};
  }
  return key;
}

Result<std::string> EncodePrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error{"cannot PEM-encode the private key: " + OpenSslError()};
  }
  return Drain(bio.get());
}

}  // namespace mm::tls
