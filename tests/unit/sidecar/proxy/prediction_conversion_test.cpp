#include "sidecar/proxy/prediction_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {
namespace {

// What the store records of an instance whose output is `json`, as an adapter finds it.
std::optional<metrics::Prediction> Convert(const std::string& json) {
  return ToStorePrediction(InstancePrediction(nlohmann::json::parse(json)));
}

TEST(PredictionConversionTest, NumbersAndBooleansAreValues) {
  EXPECT_EQ(Convert("3")->value, 3);
  EXPECT_EQ(Convert("-1.25")->value, -1.25);
  EXPECT_TRUE(Convert("2")->scores.empty());
  EXPECT_EQ(Convert("true")->value, 1);
  EXPECT_EQ(Convert("false")->value, 0);
}

TEST(PredictionConversionTest, NumericStringsAreParsed) {
  EXPECT_EQ(Convert(R"("7")")->value, 7);
  EXPECT_EQ(Convert(R"("0.5")")->value, 0.5);
  EXPECT_FALSE(Convert(R"("7 apples")"));
  EXPECT_FALSE(Convert(R"("")"));
  EXPECT_FALSE(Convert(R"("nan")"));
}

TEST(PredictionConversionTest, ProbabilityRowsBecomeScoresWithTheArgmaxAsValue) {
  auto binary = Convert("[0.2,0.8]");
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->value, 1);
  EXPECT_EQ(binary->scores, std::vector<double>{0.8}) << "binary keeps P(positive) only";

  auto multi = Convert("[0.1,0.2,0.6,0.1]");
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi->value, 2);
  EXPECT_EQ(multi->scores, (std::vector<double>{0.1, 0.2, 0.6, 0.1}));

  auto single = Convert("[0.3]");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->value, 0);
  EXPECT_EQ(single->scores, std::vector<double>{0.3});
}

TEST(PredictionConversionTest, AnythingElseIsNotRecordable) {
  for (const char* json :
       {R"("Hello!")", "null", "{}", R"({"label":1})", "[]", R"([0.1,"x"])", "[[0.1,0.9]]"}) {
    EXPECT_FALSE(Convert(json)) << json;
  }
  EXPECT_FALSE(ToStorePrediction(InstanceOutput{.json = "not json"}));
  EXPECT_FALSE(ToStorePrediction(InstanceOutput{}));
}

// Numbers go from the response's JSON to the store as the JSON parser reads them.
TEST(PredictionConversionTest, NumbersAreReadAsTheJsonParserReadsThem) {
  EXPECT_EQ(Convert("1e2")->value, 100);
  EXPECT_EQ(Convert("-2.5E-1")->value, -0.25);
  EXPECT_FALSE(std::signbit(Convert("-0")->value)) << "the integer -0 is +0.0";
  EXPECT_TRUE(std::signbit(Convert("-0.0")->value));
  EXPECT_EQ(Convert("18446744073709551616")->value, 18446744073709551616.0);
  EXPECT_EQ(Convert(" [0.2, 0.8] ")->scores, std::vector<double>{0.8});
  EXPECT_EQ(Convert("[1e-1,2E-1,7e-1]")->value, 2);
  // The parser refuses 1e400; an infinity or NaN from elsewhere is not recordable.
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(ToStorePrediction(InstanceOutput{.numbers = {inf}}));
  EXPECT_FALSE(ToStorePrediction(InstanceOutput{.numbers = {0.5, std::nan("")}, .row = true}));
}

TEST(PredictionConversionTest, JoinIdIsTheRequestIdOrRequestIdSlashIndex) {
  EXPECT_EQ(JoinId("req-1", 0, 1), "req-1");
  EXPECT_EQ(JoinId("req-1", 0, 3), "req-1/0");
  EXPECT_EQ(JoinId("req-1", 2, 3), "req-1/2");
}

}  // namespace
}  // namespace mm::sidecar
