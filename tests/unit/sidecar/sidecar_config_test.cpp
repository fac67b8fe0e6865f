#include "sidecar/sidecar_config.h"

#include <gtest/gtest.h>

#include "sidecar/options.h"

namespace mm::sidecar {
namespace {

TEST(SidecarConfigTest, DefaultsAreValid) { EXPECT_TRUE(SidecarConfig{}.Validate().ok()); }

TEST(SidecarConfigTest, EachBadFieldIsNamedWithWhatWouldBeRight) {
  auto expect_error = [](SidecarConfig c, const std::string& fragment) {
    auto s = c.Validate();
    ASSERT_FALSE(s.ok()) << fragment;
    EXPECT_NE(s.error().message.find(fragment), std::string::npos) << s.error().message;
  };
  SidecarConfig c;
  c.requests.sample_rate = 1.5;
  expect_error(c, "sampleRate");
  c = {};
  c.requests.request_id_header = "X-Request-Id";
  expect_error(c, "lower-case header name");
  c = {};
  c.protocol.output_path = "predictions";
  expect_error(c, "outputPath");
  c = {};
  c.proxy.port = 9090;
  expect_error(c, "must differ");
  c = {};
  c.requests.max_body_bytes = 0;
  expect_error(c, "maxBodyBytes");
}

TEST(SidecarOptionsTest, FlagsBecomeAConfig) {
  CLI::App app;
  SidecarOptions options;
  AddFlags(app, &options);
  const char* argv[] = {"sidecar",
                        "--upstream",
                        "localhost:8501",
                        "--protocol",
                        "kserve-v1",
                        "--sample-rate",
                        "0.25",
                        "--data-port",
                        "8081",
                        "--upstream-timeout",
                        "2.5"};
  app.parse(static_cast<int>(std::size(argv)), argv);
  auto c = ConfigFromOptions(options);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->proxy.upstream_host, "localhost");
  EXPECT_EQ(c->proxy.upstream_port, 8501);
  EXPECT_EQ(c->proxy.port, 8081);
  EXPECT_EQ(c->protocol.protocol, api::Protocol::kKServeV1);
  EXPECT_DOUBLE_EQ(c->requests.sample_rate, 0.25);
  EXPECT_EQ(c->proxy.upstream_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c->proxy.listen_address, "0.0.0.0");  // a pod's default: every interface
  EXPECT_EQ(c->admin_address, "0.0.0.0");
  options.upstream = "8000";
  EXPECT_FALSE(ConfigFromOptions(options).ok());

  CLI::App refusing;
  SidecarOptions unused;
  AddFlags(refusing, &unused);
  const char* grpc[] = {"sidecar", "--protocol", "grpc"};
  try {
    refusing.parse(static_cast<int>(std::size(grpc)), grpc);
    ADD_FAILURE() << "--protocol grpc was accepted";
  } catch (const CLI::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("grpc"), std::string::npos) << e.what();
  }
  options.upstream = "127.0.0.1:99999";
  EXPECT_FALSE(ConfigFromOptions(options).ok());
}

TEST(SidecarOptionsTest, ListenAddressBindsBothPorts) {
  CLI::App app;
  SidecarOptions options;
  AddFlags(app, &options);
  const char* argv[] = {"sidecar", "--listen-address", "127.0.0.7"};
  app.parse(static_cast<int>(std::size(argv)), argv);
  auto c = ConfigFromOptions(options);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->proxy.listen_address, "127.0.0.7");
  EXPECT_EQ(c->admin_address, "127.0.0.7");
}

}  // namespace
}  // namespace mm::sidecar
