#include "common/metrics/bucket_stats.h"

#include <gtest/gtest.h>

namespace mm::metrics {
namespace {

RequestObservation Obs(int64_t t, int status, double latency) {
  RequestObservation o;
  o.time = std::chrono::system_clock::time_point(std::chrono::seconds(t));
  o.status = status;
  o.latency_seconds = latency;
  return o;
}

TEST(BucketStatsTest, BucketJsonRoundTripsAndMerges) {
  BucketStats a;
  a.start_unix = 60;
  a.Add(Obs(60, 200, 0.01));
  RequestObservation stream = Obs(61, 200, 2.0);
  stream.stream = true;
  stream.ttft_seconds = 0.2;
  stream.tokens_per_second = 40;
  stream.output_tokens = 72;
  stream.upstream_timeout = false;
  a.Add(stream);
  a.predictions_recorded = 5;
  auto back = BucketStats::FromJson(a.ToJson());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->ToJson(), a.ToJson());
  back->Merge(a);
  EXPECT_EQ(back->requests, 4u);
  EXPECT_EQ(back->output_tokens, 144u);
  EXPECT_EQ(back->ttft_seconds.count(), 2u);

  auto broken = a.ToJson();
  broken["responses"]["2xx"] = -1;
  auto refused = BucketStats::FromJson(broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("bucket.responses.2xx"), std::string::npos);
}

}  // namespace
}  // namespace mm::metrics
