#include "operator/webhook/certificate_secret.h"

#include <algorithm>

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "common/log.h"
#include "common/tls/pem.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

constexpr int kAttempts = 5;

std::string SecretPath(const CertificateSecretOptions& o, bool named) {
  return kube::ResourcePath{"v1", "secrets", o.ns, named ? o.name : ""}.Url();
}

std::optional<StoredCertificates> FromSecret(const json& secret) {
  const json data = secret.value("data", json::object());
  if (!data.is_object()) return std::nullopt;
  auto field = [&](const char* key) -> std::optional<std::string> {
    const auto it = data.find(key);
    if (it == data.end() || !it->is_string()) return std::nullopt;
    auto decoded = Base64Decode(it->get<std::string>());
    if (!decoded) return std::nullopt;
    return std::move(decoded).value();
  };
  auto ca = field("ca.crt"), ca_key = field("ca.key"), cert = field("tls.crt"),
       key = field("tls.key");
  if (!ca || !ca_key || !cert || !key) return std::nullopt;
  return StoredCertificates{*ca, *ca_key, *cert, *key};
}

json ToSecret(const CertificateSecretOptions& o, const StoredCertificates& s) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", o.name},
            {"namespace", o.ns},
            {"labels", {{"app.kubernetes.io/name", "modelmonitor"}}}}},
          {"type", "kubernetes.io/tls"},
          {"data",
           {{"ca.crt", Base64Encode(s.ca_bundle_pem)},
            {"ca.key", Base64Encode(s.ca_key_pem)},
            {"tls.crt", Base64Encode(s.cert_pem)},
            {"tls.key", Base64Encode(s.key_pem)}}}};
}

tls::ServingCertificates ToServing(const StoredCertificates& s) {
  return {s.ca_bundle_pem, s.cert_pem, s.key_pem};
}

// The first certificate of a PEM bundle, as PEM.
Result<std::string> FirstCertificate(const std::string& bundle) {
  auto certs = tls::DecodeCertificateBundlePem(bundle);
  if (!certs) return certs.error();
  return tls::EncodeCertificatePem(certs->front().get());
}

bool Covers(const tls::CertificateInfo& info, const tls::ServingCertificateRequest& req) {
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const auto& d : req.dns_names) {
    if (!has(info.dns_names, d)) return false;
  }
  for (const auto& ip : req.ip_addresses) {
    if (!has(info.ip_addresses, ip)) return false;
  }
  return true;
}

// The current CA if it is usable and not due; the reason it is not otherwise.
Result<tls::KeyPair> UsableCa(const StoredCertificates& s, const CertificateSecretOptions& o,
                              tls::Clock::time_point now) {
  auto ca_pem = FirstCertificate(s.ca_bundle_pem);
  if (!ca_pem) return Error{"ca.crt: " + ca_pem.error().message};
  auto info = tls::InspectCertificate(ca_pem.value());
  if (!info) return Error{"ca.crt: " + info.error().message};
  if (!info->is_ca) return Error{"ca.crt is not a CA certificate"};
  if (auto m = tls::VerifyKeyMatches(ca_pem.value(), s.ca_key_pem); !m) {
    return Error{"ca.key: " + m.error().message};
  }
  if (tls::ShouldRenew(info.value(), now, o.renew_fraction))
    return Error{"the CA is due for renewal"};
  return tls::KeyPair{std::move(ca_pem).value(), s.ca_key_pem};
}

// Why the serving certificate must be renewed, or "" when it is good.
std::string ServingProblem(const StoredCertificates& s, const CertificateSecretOptions& o,
                           tls::Clock::time_point now) {
  auto info = tls::InspectCertificate(s.cert_pem);
  if (!info) return "tls.crt: " + info.error().message;
  if (auto m = tls::VerifyKeyMatches(s.cert_pem, s.key_pem); !m)
    return "tls.key: " + m.error().message;
  if (auto v = tls::VerifyIssuedBy(s.cert_pem, s.ca_bundle_pem, now); !v) {
    return "tls.crt: " + v.error().message;
  }
  if (!Covers(info.value(), o.serving)) return "tls.crt does not cover the webhook's names";
  if (tls::ShouldRenew(info.value(), now, o.renew_fraction)) return "tls.crt is due for renewal";
  return "";
}

// Old CAs still valid at `now`, to keep trusting them beside a new CA.
std::string StillValidCas(const std::string& bundle, tls::Clock::time_point now) {
  std::string out;
  auto certs = tls::DecodeCertificateBundlePem(bundle);
  if (!certs) return out;
  for (const auto& c : certs.value()) {
    auto pem = tls::EncodeCertificatePem(c.get());
    if (!pem) continue;
    auto info = tls::InspectCertificate(pem.value());
    if (info && info->is_ca && info->not_after > now) {
      out += pem.value();
      break;  // only the newest previous CA: the bundle holds at most two
    }
  }
  return out;
}

}  // namespace

Result<std::optional<StoredCertificates>> PlanCertificates(
    const std::optional<StoredCertificates>& stored, const CertificateSecretOptions& o,
    tls::Clock::time_point now) {
  std::optional<tls::KeyPair> ca;
  std::string bundle;
  if (stored) {
    auto usable = UsableCa(*stored, o, now);
    if (usable) {
      const std::string problem = ServingProblem(*stored, o, now);
      if (problem.empty()) return std::optional<StoredCertificates>();
      ca = std::move(usable).value();
      bundle = stored->ca_bundle_pem;
      log::Info("renewing the webhook serving certificate", {{"reason", problem}});
    } else {
      log::Info("renewing the webhook CA", {{"reason", usable.error().message}});
    }
  }
  if (!ca) {
    auto fresh = tls::CreateCertificateAuthority(o.ca_common_name, o.ca_lifetime, now);
    if (!fresh) return fresh.error();
    ca = std::move(fresh).value();
    bundle = ca->cert_pem + (stored ? StillValidCas(stored->ca_bundle_pem, now) : "");
  }
  auto serving = tls::CreateServingCertificate(*ca, o.serving, now);
  if (!serving) return serving.error();
  return std::optional<StoredCertificates>(
      StoredCertificates{bundle, ca->key_pem, serving->cert_pem, serving->key_pem});
}

Result<tls::ServingCertificates> EnsureWebhookCertificates(kube::KubeClient& client,
                                                           const CertificateSecretOptions& o,
                                                           tls::Clock::time_point now) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const auto got = client.Get(SecretPath(o, true));
    if (got.status == 404) {
      auto plan = PlanCertificates(std::nullopt, o, now);
      if (!plan) return plan.error();
      const auto created = client.Create(SecretPath(o, false), ToSecret(o, **plan));
      if (created.ok()) {
        log::Info("webhook certificates created", {{"secret", o.ns + "/" + o.name}});
        return ToServing(**plan);
      }
      if (created.status == 409) continue;  // another replica won: use its certificates
      return Error{"cannot create Secret " + o.ns + "/" + o.name + ": " + created.Message()};
    }
    if (!got.ok()) return Error{"cannot read Secret " + o.ns + "/" + o.name + ": " + got.Message()};
    const auto stored = FromSecret(got.body);
    auto plan = PlanCertificates(stored, o, now);
    if (!plan) return plan.error();
    if (!plan->has_value()) return ToServing(*stored);
    json secret = ToSecret(o, **plan);
    secret["metadata"]["resourceVersion"] = got.body["metadata"]["resourceVersion"];
    const auto replaced = client.Replace(SecretPath(o, true), secret);
    if (replaced.ok()) return ToServing(**plan);
    if (replaced.status == 409 || replaced.status == 404) continue;  // raced: re-read
    return Error{"cannot update Secret " + o.ns + "/" + o.name + ": " + replaced.Message()};
  }
  return Error{"Secret " + o.ns + "/" + o.name + " kept changing under us; gave up after " +
               std::to_string(kAttempts) + " attempts"};
}

}  // namespace mm::webhook
