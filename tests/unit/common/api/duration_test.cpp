#include "common/api/duration.h"

#include <gtest/gtest.h>

namespace mm::api {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, ReadsGoStyleDurations) {
  EXPECT_EQ(*ParseDuration("30s"), 30s);
  EXPECT_EQ(*ParseDuration("5m"), 5min);
  EXPECT_EQ(*ParseDuration("24h"), 24h);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("1.5h"), 90min);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("250us"), 250us);
  EXPECT_EQ(*ParseDuration("250\u00b5s"), 250us);
  EXPECT_EQ(*ParseDuration("7ns"), 7ns);
  EXPECT_EQ(*ParseDuration("0"), 0s);
  EXPECT_EQ(*ParseDuration("0s"), 0s);
  EXPECT_EQ(*ParseDuration("1m0.5s"), 60500ms);
  EXPECT_EQ(*ParseDuration("2h45m30.25s"), 2h + 45min + 30250ms);
}

TEST(ParseDuration, RejectsWhatIsNotADurationAndSaysWhatWouldBe) {
  for (const char* bad : {"", "5x", "5", "1d", "-5m", "+5m", "m", "1.h", ".5h", "1h 30m", "5M",
                          "1234567h", "1.1234567890s", "0x10s", "1e3s", "ms5"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().message,
              "\"" + std::string(bad) + "\" is not a duration (use 30s, 5m, 1h)");
  }
}

TEST(ParseDuration, RejectsTheSumOfPartsPastInt64) {
  EXPECT_EQ(*ParseDuration("999999h999999h"), 1999998h);
  EXPECT_FALSE(ParseDuration("999999h999999h999999h").ok());  // past 292 years of nanoseconds
}

TEST(FormatDuration, WritesTheShortestTextThatReadsBack) {
  EXPECT_EQ(FormatDuration(5min), "5m");
  EXPECT_EQ(FormatDuration(90min), "1h30m");
  EXPECT_EQ(FormatDuration(1h + 30s), "1h30s");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(7us), "7us");
  EXPECT_EQ(FormatDuration(123456789ns), "0.123456789s");
  EXPECT_EQ(FormatDuration(0s), "0s");
  EXPECT_EQ(FormatDuration(-5s), "0s");
  EXPECT_EQ(FormatDuration(1477304h), "999999h477305h");  // parts have at most 6 digits
  for (Duration d : {Duration(1), Duration(999'999'999), Duration(720h), Duration(61s + 1ns),
                     Duration(1477304h + 1ns), Duration::max()}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
}

TEST(DurationTest, FlagsReadTheSameGrammarInMilliseconds) {
  EXPECT_EQ(ParseMilliseconds("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(ParseMilliseconds("5m"), std::chrono::milliseconds(300'000));
  EXPECT_EQ(ParseMilliseconds("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(ParseMilliseconds("1h30m"), std::chrono::milliseconds(5'400'000));
  EXPECT_FALSE(ParseMilliseconds("5"));
  EXPECT_FALSE(ParseMilliseconds("s"));
  EXPECT_FALSE(ParseMilliseconds("-1s"));
}

}  // namespace
}  // namespace mm::api
