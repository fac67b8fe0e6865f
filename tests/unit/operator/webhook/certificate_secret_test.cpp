#include "operator/webhook/certificate_secret.h"

#include <gtest/gtest.h>

#include "common/tls/pem.h"

namespace mm::webhook {
namespace {

using namespace std::chrono_literals;
using tls::Clock;

const Clock::time_point kNow = Clock::from_time_t(1'790'000'000);

CertificateSecretOptions Options() {
  CertificateSecretOptions o;
  o.serving.common_name = "modelmonitor-webhook.modelmonitor.svc";
  o.serving.dns_names = {"modelmonitor-webhook.modelmonitor.svc"};
  o.serving.ip_addresses = {"127.0.0.1"};
  o.serving.lifetime = 90 * 24h;
  o.ca_lifetime = 900 * 24h;
  return o;
}

StoredCertificates Fresh() { return PlanCertificates(std::nullopt, Options(), kNow)->value(); }

size_t CaCount(const std::string& bundle) {
  return tls::DecodeCertificateBundlePem(bundle).value().size();
}

TEST(CertificateSecret, NothingStoredCreatesCaAndServingCertificate) {
  const StoredCertificates s = Fresh();
  EXPECT_EQ(CaCount(s.ca_bundle_pem), 1u);
  EXPECT_TRUE(tls::VerifyIssuedBy(s.cert_pem, s.ca_bundle_pem, kNow).ok());
  EXPECT_TRUE(tls::VerifyKeyMatches(s.cert_pem, s.key_pem).ok());
  EXPECT_TRUE(tls::VerifyKeyMatches(s.ca_bundle_pem, s.ca_key_pem).ok());
}

TEST(CertificateSecret, GoodCertificatesAreKept) {
  auto plan = PlanCertificates(Fresh(), Options(), kNow + 24h);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_FALSE(plan->has_value());
}

TEST(CertificateSecret, ServingCertificateIsRenewedWithTheSameCa) {
  const StoredCertificates s = Fresh();
  const auto later = kNow + 61 * 24h;  // less than a third of 90 days left
  auto plan = PlanCertificates(s, Options(), later);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->has_value());
  EXPECT_EQ((*plan)->ca_bundle_pem, s.ca_bundle_pem);
  EXPECT_NE((*plan)->cert_pem, s.cert_pem);
  EXPECT_EQ(tls::InspectCertificate((*plan)->cert_pem)->not_after, later + 90 * 24h);
}

TEST(CertificateSecret, NewNamesRenewTheServingCertificate) {
  CertificateSecretOptions o = Options();
  o.serving.dns_names.push_back("webhook.other.svc");
  auto plan = PlanCertificates(Fresh(), o, kNow);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ(tls::InspectCertificate((*plan)->cert_pem)->dns_names.size(), 2u);
}

TEST(CertificateSecret, CaRotationKeepsTheOldCaInTheBundle) {
  const StoredCertificates s = Fresh();
  const auto later = kNow + 601 * 24h;  // less than a third of 900 days left on the CA
  auto plan = PlanCertificates(s, Options(), later);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  const StoredCertificates& n = **plan;
  EXPECT_EQ(CaCount(n.ca_bundle_pem), 2u);
  EXPECT_NE(n.ca_key_pem, s.ca_key_pem);
  // The new serving certificate chains to the new CA (first in the bundle), and a
  // client holding only the old CA still trusts... nothing new: hence the bundle.
  EXPECT_TRUE(tls::VerifyIssuedBy(n.cert_pem, n.ca_bundle_pem, later).ok());
  EXPECT_FALSE(tls::VerifyIssuedBy(n.cert_pem, s.ca_bundle_pem, later).ok());
  EXPECT_NE(n.ca_bundle_pem.find(s.ca_bundle_pem), std::string::npos);
}

TEST(CertificateSecret, BrokenContentIsReplaced) {
  StoredCertificates s = Fresh();
  s.key_pem = s.ca_key_pem;  // a key that does not belong to tls.crt
  auto plan = PlanCertificates(s, Options(), kNow);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_TRUE(tls::VerifyKeyMatches((*plan)->cert_pem, (*plan)->key_pem).ok());
  StoredCertificates garbage{"x", "y", "z", "w"};
  auto replaced = PlanCertificates(garbage, Options(), kNow);
  ASSERT_TRUE(replaced.ok() && replaced->has_value());
  EXPECT_EQ(CaCount((*replaced)->ca_bundle_pem), 1u);
}

}  // namespace
}  // namespace mm::webhook
