#include "operator/alerts/rfc3339.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

TEST(Rfc3339Test, RoundTripsAndReadsOffsetsAndFractions) {
  const SystemTime t = SystemTime(std::chrono::seconds(1'795'320'000));
  EXPECT_EQ(FormatRfc3339(t), "2026-11-22T04:00:00Z");
  EXPECT_EQ(ParseRfc3339("2026-11-22T04:00:00Z"), t);
  EXPECT_EQ(ParseRfc3339("2026-11-22T04:00:00.123Z"), t);
  EXPECT_EQ(ParseRfc3339("2026-11-22T06:00:00+02:00"), t);
  EXPECT_FALSE(ParseRfc3339("2026-11-22 04:00:00"));
  EXPECT_FALSE(ParseRfc3339("2026-11-22T04:00:00"));
  EXPECT_FALSE(ParseRfc3339(""));
}

}  // namespace
}  // namespace mm::op
