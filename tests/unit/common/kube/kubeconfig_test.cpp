#include "common/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/base64.h"

namespace mm::kube {
namespace {

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mm-kubeconfig-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(KubeconfigTest, ReadsCurrentContextWithEmbeddedData) {
  const std::string path = Write("config", R"(apiVersion: v1
kind: Config
current-context: b
clusters:
- name: ca
  cluster: {server: https://a.example:6443}
- name: cb
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: )" + Base64Encode("CA PEM") +
                                               R"(
users:
- name: ub
  user:
    client-certificate-data: )" + Base64Encode("CERT PEM") +
                                               R"(
    client-key-data: )" + Base64Encode("KEY PEM") +
                                               R"(
contexts:
- name: a
  context: {cluster: ca, user: ub}
- name: b
  context: {cluster: cb, user: ub, namespace: ml}
)");
  auto cfg = LoadKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->client_cert_pem, "CERT PEM");
  EXPECT_EQ(cfg->client_key_pem, "KEY PEM");
  EXPECT_EQ(cfg->ns, "ml");

  auto other = LoadKubeconfig(path, "a");
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->server, "https://a.example:6443");
  EXPECT_EQ(other->ns, "default");
}

TEST_F(KubeconfigTest, ReadsFilesRelativeToTheKubeconfigAndTokens) {
  Write("ca.crt", "CA FROM FILE");
  const std::string path = Write("config", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://10.0.0.1", certificate-authority: ca.crt}}]
users: [{name: u, user: {token: abc.def}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)");
  auto cfg = LoadKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->ca_pem, "CA FROM FILE");
  EXPECT_EQ(cfg->token, "abc.def");
}

TEST_F(KubeconfigTest, NamesWhatIsMissing) {
  const std::string path = Write("config", "current-context: nope\ncontexts: []\n");
  auto cfg = LoadKubeconfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("context \"nope\" not found"), std::string::npos)
      << cfg.error().message;
  auto missing = LoadKubeconfig((dir_ / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);
}

TEST_F(KubeconfigTest, InClusterNeedsServiceEnvironment) {
  unsetenv("KUBERNETES_SERVICE_HOST");
  auto cfg = InClusterConfig(dir_.string());
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

}  // namespace
}  // namespace mm::kube
