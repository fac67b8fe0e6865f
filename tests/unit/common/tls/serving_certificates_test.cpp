#include "common/tls/serving_certificates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/tls/certificate.h"

namespace mm::tls {
namespace {

using namespace std::chrono_literals;

class MountedCertificates : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mm-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto ca = CreateCertificateAuthority("ca", 24h, Clock::now());
    ASSERT_TRUE(ca.ok());
    ca_ = ca.value();
    ServingCertificateRequest req;
    req.common_name = "svc";
    req.dns_names = {"svc.ns.svc"};
    auto s = CreateServingCertificate(ca_, req, Clock::now());
    ASSERT_TRUE(s.ok());
    serving_ = s.value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  std::filesystem::path dir_;
  KeyPair ca_, serving_;
};

TEST_F(MountedCertificates, LoadsCertManagerLayout) {
  Write("tls.crt", serving_.cert_pem);
  Write("tls.key", serving_.key_pem);
  Write("ca.crt", ca_.cert_pem);
  auto loaded = LoadMountedCertificates(dir_.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->cert_pem, serving_.cert_pem);
  EXPECT_EQ(loaded->key_pem, serving_.key_pem);
  EXPECT_EQ(loaded->ca_pem, ca_.cert_pem);
}

TEST_F(MountedCertificates, CaIsOptionalButKeyMustMatch) {
  Write("tls.crt", serving_.cert_pem);
  Write("tls.key", serving_.key_pem);
  auto no_ca = LoadMountedCertificates(dir_.string());
  ASSERT_TRUE(no_ca.ok()) << no_ca.error().message;
  EXPECT_EQ(no_ca->ca_pem, "");
  Write("tls.key", ca_.key_pem);
  auto mismatch = LoadMountedCertificates(dir_.string());
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("tls.crt/tls.key"), std::string::npos);
}

TEST_F(MountedCertificates, MissingCertificateNamesTheFile) {
  auto missing = LoadMountedCertificates(dir_.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("tls.crt"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace mm::tls
