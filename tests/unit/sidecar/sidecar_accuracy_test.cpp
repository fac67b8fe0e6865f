// The whole sidecar with its ground truth: predictions pass the data port, labels
// arrive on the admin port, accuracy shows in /v1/snapshot and /metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>

#include "sidecar/sidecar.h"
#include "tests/support/test_upstream.h"
#include "tests/support/wait.h"

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

bhttp::response<bhttp::string_body> Call(
    uint16_t port, bhttp::verb verb, const std::string& target, const std::string& body = "",
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req{verb, target, 11};
  req.set(bhttp::field::host, "sidecar");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  return res;
}

class SidecarAccuracyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mm-sidecar-accuracy-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    sidecar_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(std::string token) {
    // One instance per request: P(positive) 0.8, so the predicted class is 1.
    model_ = std::make_unique<testing::TestUpstream>([](testing::TestUpstream::Connection& c) {
      while (c.ReadRequest()) {
        c.Write(testing::TestUpstream::Response(200, "application/json",
                                                R"({"predictions":[[0.2,0.8]]})"));
      }
    });
    SidecarConfig config;
    config.proxy.listen_address = "127.0.0.1";
    config.proxy.port = 0;
    config.proxy.upstream_port = model_->port();
    config.admin_address = "127.0.0.1";
    config.admin_port = 0;
    config.protocol = {api::Protocol::kKServeV1, "$"};
    config.ground_truth.emplace();
    config.ground_truth->store_dir = dir_.string();
    config.ground_truth->refresh = std::chrono::milliseconds(50);
    config.label_token = std::move(token);
    config.admin_token = "adm";
    auto sidecar = Sidecar::Create(config);
    ASSERT_TRUE(sidecar.ok()) << sidecar.error().message;
    sidecar_ = std::move(sidecar.value());
    ASSERT_TRUE(sidecar_->Start().ok());
  }
  bhttp::response<bhttp::string_body> PostLabels(const std::string& body,
                                                 const std::string& authorization,
                                                 const std::string& type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers = {{"content-type", type}};
    if (!authorization.empty()) headers.emplace_back("authorization", authorization);
    return Call(sidecar_->admin_port(), bhttp::verb::post, "/v1/labels", body, headers);
  }
  int64_t AccuracyTotal(const std::string& field) {
    auto j = nlohmann::json::parse(Call(sidecar_->admin_port(), bhttp::verb::get, "/v1/snapshot",
                                        "", {{"authorization", "Bearer adm"}})
                                       .body());
    int64_t n = 0;
    for (const auto& b : j.at("accuracy").at("buckets")) n += b.value(field, int64_t{0});
    return n;
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::TestUpstream> model_;
  std::unique_ptr<Sidecar> sidecar_;
};

TEST_F(SidecarAccuracyTest, LabelsJoinPredictionsByRequestIdAndShowInSnapshotAndMetrics) {
  Start("s3cret");
  for (const char* id : {"r1", "r2", "r3", "r4"}) {
    ASSERT_EQ(Call(sidecar_->data_port(), bhttp::verb::post, "/v1/models/m:predict", "{}",
                   {{"x-request-id", id}})
                  .result_int(),
              200);
  }
  ASSERT_TRUE(
      testing::WaitFor([&] { return sidecar_->ground_truth()->counters().store.pending == 4; },
                       std::chrono::seconds(5), std::chrono::milliseconds(10)));

  // The model said class 1 each time: r1..r3 are right, r4 is wrong.
  auto res =
      PostLabels(R"({"labels":[{"id":"r1","label":1},{"id":"r2","label":1}]})", "Bearer s3cret");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  res = PostLabels("{\"id\":\"r3\",\"label\":1}\n{\"id\":\"r4\",\"label\":0}\n", "Bearer s3cret",
                   "application/x-ndjson");
  ASSERT_EQ(res.result_int(), 200) << res.body();

  EXPECT_EQ(AccuracyTotal("joined"), 4);
  EXPECT_EQ(AccuracyTotal("recorded"), 4);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Call(sidecar_->admin_port(), bhttp::verb::get, "/metrics")
                   .body()
                   .find("modelmonitor_accuracy{window=\"3600s\"} 0.75") != std::string::npos;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(20)))
      << Call(sidecar_->admin_port(), bhttp::verb::get, "/metrics").body();
}

TEST_F(SidecarAccuracyTest, LabelPostsNeedTheBearerToken) {
  Start("s3cret");
  const std::string body = R"({"labels":[{"id":"r1","label":1}]})";
  auto res = PostLabels(body, "");
  EXPECT_EQ(res.result_int(), 401) << res.body();
  res = PostLabels(body, "Basic czNjcmV0");
  EXPECT_EQ(res.result_int(), 401) << res.body();
  res = PostLabels(body, "Bearer wrong");
  EXPECT_EQ(res.result_int(), 403) << res.body();
  res = PostLabels(body, "Bearer s3cre");
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_EQ(AccuracyTotal("labelsUnknown"), 0) << "refused posts reach no label";
}

TEST_F(SidecarAccuracyTest, WithoutATokenLabelPostsAreRefusedWithHowToConfigureOne) {
  Start("");
  auto res = PostLabels(R"({"labels":[{"id":"a","label":1}]})", "Bearer anything");
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_NE(res.body().find("MM_LABEL_TOKEN"), std::string::npos) << res.body();
}

}  // namespace
}  // namespace mm::sidecar
