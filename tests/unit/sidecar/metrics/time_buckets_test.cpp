#include "sidecar/metrics/time_buckets.h"

#include <gtest/gtest.h>

namespace mm::sidecar {
namespace {

std::chrono::system_clock::time_point At(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

metrics::RequestObservation Obs(int64_t t, int status, double latency) {
  metrics::RequestObservation o;
  o.time = At(t);
  o.status = status;
  o.latency_seconds = latency;
  return o;
}

TEST(TimeBucketsTest, GroupsByAlignedBucketAndKeepsTheNewest) {
  TimeBuckets buckets(std::chrono::seconds(10), 3);
  buckets.Record(Obs(1000, 200, 0.1));
  buckets.Record(Obs(1009, 500, 0.2));
  buckets.Record(Obs(1010, 200, 0.3));
  buckets.Record(Obs(1035, 404, 0.4));
  buckets.Record(Obs(1001, 200, 0.1));  // late, still held
  auto all = buckets.Since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].start_unix, 1000);
  EXPECT_EQ(all[0].requests, 3u);
  EXPECT_EQ(all[0].responses_by_class[5], 1u);
  EXPECT_EQ(all[1].start_unix, 1010);
  EXPECT_EQ(all[2].start_unix, 1030);
  EXPECT_EQ(all[2].responses_by_class[4], 1u);

  buckets.Record(Obs(1040, 200, 0.1));  // a fourth bucket evicts the oldest
  all = buckets.Since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].start_unix, 1010);
  buckets.Record(Obs(900, 200, 0.1));  // older than everything kept: ignored
  EXPECT_EQ(buckets.Since(0).size(), 3u);
  EXPECT_EQ(buckets.Since(1030).size(), 2u);
}

TEST(TimeBucketsTest, ResourceReadingsAreCountedPerBucketAndMerge) {
  TimeBuckets buckets(std::chrono::seconds(10), 10);
  const auto at = [](int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
  };
  buckets.CountResourceReading(at(1000));
  buckets.CountResourceReading(at(1005));
  buckets.CountResourceReading(at(1010));
  const auto got = buckets.Since(0);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].resource_readings, 2u);
  auto back = metrics::BucketStats::FromJson(got[0].ToJson());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->resource_readings, 2u);
  back->Merge(got[1]);
  EXPECT_EQ(back->resource_readings, 3u);
  // A sidecar older than the field: no readings, not an error.
  auto old = got[0].ToJson();
  old.erase("resourceReadings");
  auto read = metrics::BucketStats::FromJson(old);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->resource_readings, 0u);
}

}  // namespace
}  // namespace mm::sidecar
