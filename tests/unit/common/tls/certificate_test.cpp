#include "common/tls/certificate.h"

#include <gtest/gtest.h>

#include "common/tls/pem.h"

namespace mm::tls {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kNow = Clock::from_time_t(1'790'000'000);  // a fixed instant

ServingCertificateRequest WebhookNames() {
  ServingCertificateRequest r;
  r.common_name = "modelmonitor-webhook.modelmonitor.svc";
  r.dns_names = {"modelmonitor-webhook", "modelmonitor-webhook.modelmonitor.svc",
                 "modelmonitor-webhook.modelmonitor.svc.cluster.local"};
  r.ip_addresses = {"127.0.0.1"};
  r.lifetime = 24h * 90;
  return r;
}

TEST(Certificate, CaIsSelfSignedCaWithItsLifetime) {
  auto ca = CreateCertificateAuthority("test-ca", 24h * 365, kNow);
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  auto info = InspectCertificate(ca->cert_pem);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->common_name, "test-ca");
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->not_after, kNow + 24h * 365);
  EXPECT_EQ(info->not_before, kNow - 1h);  // backdated for clock skew
  EXPECT_TRUE(VerifyIssuedBy(ca->cert_pem, ca->cert_pem, kNow).ok());
  EXPECT_TRUE(VerifyKeyMatches(ca->cert_pem, ca->key_pem).ok());
}

TEST(Certificate, ServingCertificateHasSansAndChainsToItsCa) {
  auto ca = CreateCertificateAuthority("test-ca", 24h * 365, kNow);
  ASSERT_TRUE(ca.ok());
  auto serving = CreateServingCertificate(ca.value(), WebhookNames(), kNow);
  ASSERT_TRUE(serving.ok()) << serving.error().message;
  auto info = InspectCertificate(serving->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->dns_names, WebhookNames().dns_names);
  EXPECT_EQ(info->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(info->not_after, kNow + 24h * 90);
  EXPECT_TRUE(VerifyIssuedBy(serving->cert_pem, ca->cert_pem, kNow).ok());
  EXPECT_TRUE(VerifyKeyMatches(serving->cert_pem, serving->key_pem).ok());
}

TEST(Certificate, VerificationFailsForAnotherCaAndAfterExpiry) {
  auto ca = CreateCertificateAuthority("ca-1", 24h * 365, kNow);
  auto other = CreateCertificateAuthority("ca-2", 24h * 365, kNow);
  ASSERT_TRUE(ca.ok() && other.ok());
  auto serving = CreateServingCertificate(ca.value(), WebhookNames(), kNow);
  ASSERT_TRUE(serving.ok());
  auto wrong = VerifyIssuedBy(serving->cert_pem, other->cert_pem, kNow);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("does not verify"), std::string::npos);
  EXPECT_FALSE(VerifyIssuedBy(serving->cert_pem, ca->cert_pem, kNow + 24h * 91).ok());
  // A bundle with both CAs verifies (the state during a CA rotation).
  EXPECT_TRUE(VerifyIssuedBy(serving->cert_pem, other->cert_pem + ca->cert_pem, kNow).ok());
  auto mismatch = VerifyKeyMatches(serving->cert_pem, ca->key_pem);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("does not belong"), std::string::npos);
}

TEST(Certificate, ServingCertificateNeedsANameAndAValidCa) {
  auto ca = CreateCertificateAuthority("ca", 24h, kNow);
  ASSERT_TRUE(ca.ok());
  ServingCertificateRequest none;
  none.common_name = "x";
  EXPECT_FALSE(CreateServingCertificate(ca.value(), none, kNow).ok());
  auto bad = CreateServingCertificate(KeyPair{"garbage", ca->key_pem}, WebhookNames(), kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("CA certificate"), std::string::npos) << bad.error().message;
}

TEST(Certificate, RenewsWhenLessThanAThirdOfTheLifetimeIsLeft) {
  CertificateInfo info;
  info.not_before = kNow;
  info.not_after = kNow + 90h;
  EXPECT_FALSE(ShouldRenew(info, kNow, 1.0 / 3));
  EXPECT_FALSE(ShouldRenew(info, kNow + 59h, 1.0 / 3));  // 31h of 90h left
  EXPECT_TRUE(ShouldRenew(info, kNow + 61h, 1.0 / 3));   // 29h left
  EXPECT_TRUE(ShouldRenew(info, kNow + 100h, 1.0 / 3));  // expired
  info.not_after = info.not_before;                      // no lifetime at all
  EXPECT_TRUE(ShouldRenew(info, kNow, 1.0 / 3));
}

TEST(Pem, DecodingNamesWhatWasExpected) {
  auto cert = DecodeCertificatePem("not pem");
  ASSERT_FALSE(cert.ok());
  EXPECT_NE(cert.error().message.find("BEGIN CERTIFICATE"), std::string::npos);
  auto key = DecodePrivateKeyPem("");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("private key"), std::string::npos);
  EXPECT_FALSE(DecodeCertificateBundlePem("").ok());
}

TEST(Pem, RoundTripsCertificatesAndKeys) {
  auto ca = CreateCertificateAuthority("ca", 24h, kNow);
  ASSERT_TRUE(ca.ok());
  auto cert = DecodeCertificatePem(ca->cert_pem);
  ASSERT_TRUE(cert.ok());
  auto again = EncodeCertificatePem(cert->get());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), ca->cert_pem);
  auto key = DecodePrivateKeyPem(ca->key_pem);
  ASSERT_TRUE(key.ok());
  auto key_again = EncodePrivateKeyPem(key->get());
  ASSERT_TRUE(key_again.ok());
  EXPECT_EQ(key_again.value(), ca->key_pem);
  auto bundle = DecodeCertificateBundlePem(ca->cert_pem + ca->cert_pem);
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(bundle->size(), 2u);
}

}  // namespace
}  // namespace mm::tls
