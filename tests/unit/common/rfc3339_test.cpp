#include "common/rfc3339.h"

#include <gtest/gtest.h>

namespace mm {
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
  EXPECT_FALSE(ParseRfc3339("2026-11-22T04:00:00.Z"));
  EXPECT_FALSE(ParseRfc3339("2026-11-22T04:00: 0Z"));
  EXPECT_EQ(ParseRfc3339("2026-11-22t04:00:00z"), t);
}

TEST(Rfc3339Test, MicroTimeKeepsMicroseconds) {
  const SystemTime t = SystemTime(std::chrono::seconds(1'795'320'000)) +
                       std::chrono::microseconds(123'456) + std::chrono::nanoseconds(789);
  EXPECT_EQ(FormatRfc3339Micro(t), "2026-11-22T04:00:00.123456Z");
  EXPECT_EQ(FormatRfc3339(t), "2026-11-22T04:00:00Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339Micro(t)), SystemTime(std::chrono::seconds(1'795'320'000)));
}

TEST(Rfc3339Test, FormatIsCheckedEvenWhereTheTimeCannotBeHeld) {
  EXPECT_TRUE(IsRfc3339("0001-01-01T00:00:00Z"));
  EXPECT_TRUE(IsRfc3339("2026-11-22T04:00:00.5-07:30"));
  EXPECT_FALSE(IsRfc3339("2026-11-22T04:00:00+0730"));
  EXPECT_FALSE(IsRfc3339("2026-11-22T04:00:00Zjunk"));
}

TEST(Rfc3339Test, TimesSystemTimeCannotHoldAreRefusedNotOverflowed) {
  // Go's zero time (Alertmanager's "not set") and the far future: no signed overflow
  // (the UBSan build checks), just no time.
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339("2200-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace mm
