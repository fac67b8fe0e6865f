// The admin port over real sockets: /metrics, /v1/snapshot, /healthz, /readyz.
#include "sidecar/admin/admin_endpoints.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/metrics/sidecar_snapshot.h"
#include "tests/support/test_upstream.h"

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

constexpr const char* kAdminToken = "admin-s3cret";

bhttp::response<bhttp::string_body> Get(uint16_t port, const std::string& target,
                                        const std::string& authorization = std::string("Bearer ") +
                                                                           kAdminToken) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "sidecar");
  if (!authorization.empty()) req.set(bhttp::field::authorization, authorization);
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  return res;
}

struct Admin {
  explicit Admin(uint16_t model_port, std::string token = kAdminToken)
      : metrics(std::chrono::seconds(10), 100), server({}) {
    AdminTargets targets{&metrics, nullptr, nullptr, "127.0.0.1", model_port};
    targets.admin_token = std::move(token);
    RegisterAdminEndpoints(server, targets);
    EXPECT_TRUE(server.Start().ok());
  }
  SidecarMetrics metrics;
  http::Server server;
};

metrics::RequestObservation Observation(int status, double latency) {
  metrics::RequestObservation o;
  o.time = std::chrono::system_clock::now();
  o.status = status;
  o.latency_seconds = latency;
  return o;
}

TEST(AdminEndpointsTest, MetricsUseTheDocumentedNamesAndBaseUnits) {
  Admin admin(1);
  admin.metrics.RequestStarted();
  admin.metrics.RequestFinished(Observation(200, 0.003));
  admin.metrics.RequestStarted();
  auto slow = Observation(504, 60);
  slow.upstream_timeout = true;
  admin.metrics.RequestFinished(slow);
  auto res = Get(admin.server.port(), "/metrics");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_NE(res[bhttp::field::content_type].find("version=0.0.4"), std::string::npos);
  const std::string& text = res.body();
  for (const char* line : {"modelmonitor_sidecar_requests_total{code=\"2xx\"} 1",
                           "modelmonitor_sidecar_requests_total{code=\"5xx\"} 1",
                           "modelmonitor_sidecar_upstream_errors_total{reason=\"timeout\"} 1",
                           "modelmonitor_sidecar_requests_in_flight 0",
                           "modelmonitor_sidecar_request_duration_seconds_count 2",
                           "modelmonitor_sidecar_request_duration_seconds_bucket{le=\"0.005\"} 1",
                           "# TYPE modelmonitor_sidecar_time_to_first_token_seconds histogram"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

TEST(AdminEndpointsTest, SnapshotIsVersionedAndMergesAcrossSidecarsExactly) {
  Admin a(1), b(1);
  for (int i = 0; i < 50; ++i) {
    a.metrics.RequestFinished(Observation(200, 0.01 + i * 0.001));
    b.metrics.RequestFinished(Observation(i % 10 == 0 ? 500 : 200, 0.2 + i * 0.01));
  }
  auto sa = metrics::SidecarSnapshot::FromJson(
      nlohmann::json::parse(Get(a.server.port(), "/v1/snapshot").body()));
  auto sb = metrics::SidecarSnapshot::FromJson(
      nlohmann::json::parse(Get(b.server.port(), "/v1/snapshot").body()));
  ASSERT_TRUE(sa.ok()) << sa.error().message;
  ASSERT_TRUE(sb.ok()) << sb.error().message;
  EXPECT_EQ(sa->bucket_seconds, 10);
  ASSERT_TRUE(sa->Merge(*sb).ok());
  metrics::BucketStats total;
  for (const auto& bucket : sa->buckets) total.Merge(bucket);
  EXPECT_EQ(total.requests, 100u);
  EXPECT_EQ(total.responses_by_class[5], 5u);
  const double p50 = total.latency_seconds.Quantile(0.5);
  EXPECT_NEAR(p50, 0.059, 0.059 * 0.011);  // rank 49 of the 100 merged values

  const auto future = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      3600;
  auto none = nlohmann::json::parse(
      Get(a.server.port(), "/v1/snapshot?since=" + std::to_string(future)).body());
  EXPECT_TRUE(none["buckets"].empty());
  EXPECT_EQ(Get(a.server.port(), "/v1/snapshot?since=yesterday").result_int(), 400);

  auto wrong = nlohmann::json::parse(Get(a.server.port(), "/v1/snapshot").body());
  wrong["version"] = 2;
  auto refused = metrics::SidecarSnapshot::FromJson(wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("version 2 is not supported"), std::string::npos);
  metrics::SidecarSnapshot other = *sb;
  other.bucket_seconds = 60;
  EXPECT_FALSE(sa->Merge(other).ok());
}

TEST(AdminEndpointsTest, SnapshotNeedsTheAdminToken) {
  Admin admin(1);
  auto none = Get(admin.server.port(), "/v1/snapshot", "");
  EXPECT_EQ(none.result_int(), 401);
  EXPECT_EQ(none[bhttp::field::www_authenticate], "Bearer");
  EXPECT_EQ(Get(admin.server.port(), "/v1/snapshot", "Basic YWRtaW46YWRtaW4=").result_int(), 401);
  EXPECT_EQ(Get(admin.server.port(), "/v1/snapshot", "Bearer admin-s3creT").result_int(), 403);
  EXPECT_EQ(Get(admin.server.port(), "/v1/snapshot", "Bearer admin-s3cret-and-more").result_int(),
            403);
  EXPECT_EQ(Get(admin.server.port(), "/v1/snapshot").result_int(), 200);
  // /metrics stays open for Prometheus.
  EXPECT_EQ(Get(admin.server.port(), "/metrics", "").result_int(), 200);

  Admin unconfigured(1, "");
  auto refused = Get(unconfigured.server.port(), "/v1/snapshot");
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_NE(refused.body().find("MM_ADMIN_TOKEN"), std::string::npos) << refused.body();
}

TEST(AdminEndpointsTest, ReadyOnlyWhenTheModelAcceptsConnections) {
  uint16_t closed_port = 0;
  {
    testing::TestUpstream gone([](testing::TestUpstream::Connection&) {});
    closed_port = gone.port();
  }
  Admin down(closed_port);
  EXPECT_EQ(Get(down.server.port(), "/healthz").result_int(), 200);
  auto not_ready = Get(down.server.port(), "/readyz");
  EXPECT_EQ(not_ready.result_int(), 503);
  EXPECT_NE(not_ready.body().find("not accepting connections"), std::string::npos);

  testing::TestUpstream model([](testing::TestUpstream::Connection&) {});
  Admin up(model.port());
  EXPECT_EQ(Get(up.server.port(), "/readyz").result_int(), 200);
}

}  // namespace
}  // namespace mm::sidecar
