#include "common/tls/certificate.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "common/tls/pem.h"

namespace mm::tls {
namespace {

constexpr auto kBackdate = std::chrono::hours(1);

struct X509ExtensionFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
struct X509StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct X509StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
struct BasicConstraintsFree {
  void operator()(BASIC_CONSTRAINTS* b) const { BASIC_CONSTRAINTS_free(b); }
};

Result<EvpPkeyPtr> NewKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error{"cannot generate an ECDSA P-256 key: " + OpenSslError()};
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, X509ExtensionFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Error{std::string("cannot add certificate extension ") + OBJ_nid2sn(nid) + "=" + value +
                 ": " + OpenSslError()};
  }
  return OkStatus();
}

// A new certificate with a random 127-bit serial and the validity window set.
Result<X509Ptr> NewCertificate(const std::string& common_name, EVP_PKEY* key,
                               std::chrono::seconds lifetime, Clock::time_point now) {
  X509Ptr cert(X509_new());
  if (!cert) return Error{"cannot allocate a certificate: " + OpenSslError()};
  X509_set_version(cert.get(), 2);  // v3
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    return Error{"cannot make a certificate serial number: " + OpenSslError()};
  }
  const time_t not_before = Clock::to_time_t(now - kBackdate);
  const time_t not_after = Clock::to_time_t(now + lifetime);
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after)) {
    return Error{"cannot set the certificate validity: " + OpenSslError()};
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return Error{"invalid certificate common name \"" + common_name + "\": " + OpenSslError()};
  }
  if (X509_set_pubkey(cert.get(), key) != 1) {
    return Error{"cannot set the certificate key: " + OpenSslError()};
  }
  return cert;
}

Result<KeyPair> SignAndEncode(X509* cert, EVP_PKEY* signer, EVP_PKEY* key) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0) {
    return Error{"cannot sign the certificate: " + OpenSslError()};
  }
  auto cert_pem = EncodeCertificatePem(cert);
  if (!cert_pem) return cert_pem.error();
  auto key_pem = EncodePrivateKeyPem(key);
  if (!key_pem) return key_pem.error();
  return KeyPair{std::move(cert_pem).value(), std::move(key_pem).value()};
}

Result<Clock::time_point> ToTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return Error{"unreadable certificate time"};
  return Clock::from_time_t(timegm(&tm));
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  const unsigned char* d = ASN1_STRING_get0_data(ip);
  const int n = ASN1_STRING_length(ip);
  std::string out;
  if (n == 4) {
    for (int i = 0; i < 4; ++i) out += (i ? "." : "") + std::to_string(d[i]);
  } else if (n == 16) {
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i += 2) {
      if (i) out += ':';
      for (int j = 0; j < 2; ++j) {
        out += kHex[d[i + j] >> 4];
        out += kHex[d[i + j] & 15];
      }
    }
  }
  return out;
}

}  // namespace

Result<KeyPair> CreateCertificateAuthority(const std::string& common_name,
                                           std::chrono::seconds lifetime, Clock::time_point now) {
  auto key = NewKey();
  if (!key) return key.error();
  auto cert = NewCertificate(common_name, key->get(), lifetime, now);
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) {
    return Error{"cannot set the CA issuer: " + OpenSslError()};
  }
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
        std::pair{NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
        std::pair{NID_subject_key_identifier, "hash"}}) {
    if (auto s = AddExtension(c, c, nid, value); !s) return s.error();
  }
  return SignAndEncode(c, key->get(), key->get());
}

Result<KeyPair> CreateServingCertificate(const KeyPair& ca, const ServingCertificateRequest& req,
                                         Clock::time_point now) {
  if (req.dns_names.empty() && req.ip_addresses.empty()) {
    return Error{"a serving certificate needs at least one DNS name or IP address"};
  }
  auto ca_cert = DecodeCertificatePem(ca.cert_pem);
  if (!ca_cert) return Error{"CA certificate: " + ca_cert.error().message};
  auto ca_key = DecodePrivateKeyPem(ca.key_pem);
  if (!ca_key) return Error{"CA key: " + ca_key.error().message};
  auto key = NewKey();
  if (!key) return key.error();
  auto cert = NewCertificate(req.common_name, key->get(), req.lifetime, now);
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(ca_cert->get())) != 1) {
    return Error{"cannot set the issuer: " + OpenSslError()};
  }
  std::string sans;
  for (const auto& dns : req.dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : req.ip_addresses) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
        std::pair{NID_key_usage, std::string("critical,digitalSignature,keyEncipherment")},
        std::pair{NID_ext_key_usage, std::string("serverAuth")},
        std::pair{NID_subject_key_identifier, std::string("hash")},
        std::pair{NID_authority_key_identifier, std::string("keyid:always")},
        std::pair{NID_subject_alt_name, sans}}) {
    if (auto s = AddExtension(c, ca_cert->get(), nid, value); !s) return s.error();
  }
  return SignAndEncode(c, ca_key->get(), key->get());
}

Result<CertificateInfo> InspectCertificate(std::string_view cert_pem) {
  auto cert = DecodeCertificatePem(cert_pem);
  if (!cert) return cert.error();
  X509* c = cert->get();
  CertificateInfo info;
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof(cn)) > 0) {
    info.common_name = cn;
  }
  ERR_clear_error();
  auto nb = ToTimePoint(X509_get0_notBefore(c));
  auto na = ToTimePoint(X509_get0_notAfter(c));
  if (!nb || !na) return Error{"the certificate's validity period is unreadable"};
  info.not_before = nb.value();
  info.not_after = na.value();
  std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsFree> bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(c, NID_basic_constraints, nullptr, nullptr)));
  info.is_ca = bc && bc->ca;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(c, NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
      if (n->type == GEN_DNS) {
        const ASN1_IA5STRING* s = n->d.dNSName;
        info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<size_t>(ASN1_STRING_length(s)));
      } else if (n->type == GEN_IPADD) {
        info.ip_addresses.push_back(IpToString(n->d.iPAddress));
      }
    }
  }
  return info;
}

Status VerifyIssuedBy(std::string_view cert_pem, std::string_view ca_bundle_pem,
                      Clock::time_point now) {
  auto cert = DecodeCertificatePem(cert_pem);
  if (!cert) return cert.error();
  auto cas = DecodeCertificateBundlePem(ca_bundle_pem);
  if (!cas) return cas.error();
  std::unique_ptr<X509_STORE, X509StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, X509StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!store || !ctx) return Error{"cannot allocate a certificate store: " + OpenSslError()};
  for (const auto& ca : cas.value()) X509_STORE_add_cert(store.get(), ca.get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return Error{"cannot set up certificate verification: " + OpenSslError()};
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, Clock::to_time_t(now));
  if (X509_verify_cert(ctx.get()) != 1) {
    return Error{std::string("the certificate does not verify against the CA bundle: ") +
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
  }
  return OkStatus();
}

Status VerifyKeyMatches(std::string_view cert_pem, std::string_view key_pem) {
  auto cert = DecodeCertificatePem(cert_pem);
  if (!cert) return cert.error();
  auto key = DecodePrivateKeyPem(key_pem);
  if (!key) return key.error();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return Error{"the private key does not belong to the certificate"};
  }
  return OkStatus();
}

bool ShouldRenew(const CertificateInfo& info, Clock::time_point now, double renew_fraction) {
  const auto lifetime = info.not_after - info.not_before;
  if (lifetime <= Clock::duration::zero()) return true;
  const auto left = info.not_after - now;
  return left < std::chrono::duration_cast<Clock::duration>(lifetime * renew_fraction);
}

}  // namespace mm::tls
