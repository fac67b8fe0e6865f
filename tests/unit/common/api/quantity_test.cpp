#include "common/api/quantity.h"

#include <gtest/gtest.h>

namespace mm::api {
namespace {

TEST(ParseQuantity, ReadsKubernetesQuantitiesInBaseUnits) {
  EXPECT_DOUBLE_EQ(ParseQuantity("100m")->value, 0.1);
  EXPECT_DOUBLE_EQ(ParseQuantity("0.5")->value, 0.5);
  EXPECT_DOUBLE_EQ(ParseQuantity("2")->value, 2);
  EXPECT_DOUBLE_EQ(ParseQuantity("64Mi")->value, 64.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(ParseQuantity("1Gi")->value, 1073741824.0);
  EXPECT_DOUBLE_EQ(ParseQuantity("1G")->value, 1e9);
  EXPECT_DOUBLE_EQ(ParseQuantity("1.5k")->value, 1500);
  EXPECT_DOUBLE_EQ(ParseQuantity("2e3")->value, 2000);
  EXPECT_DOUBLE_EQ(ParseQuantity("1E")->value, 1e18);
  EXPECT_DOUBLE_EQ(ParseQuantity("2Ei")->value, 2.0 * 1152921504606846976.0);
  EXPECT_DOUBLE_EQ(ParseQuantity("1.5E-3")->value, 0.0015);
  EXPECT_DOUBLE_EQ(ParseQuantity(".5")->value, 0.5);
  EXPECT_EQ(ParseQuantity("64Mi")->text, "64Mi");
}

TEST(ParseQuantity, RejectsWithAnExample) {
  for (const char* bad : {"", "lots", "-1", "+1", "1Mb", "1 Gi", "Mi", "1e", "1.2.3", "1mi"}) {
    auto q = ParseQuantity(bad);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_NE(q.error().message.find("is not a quantity (use e.g. 100m"), std::string::npos)
        << q.error().message;
  }
}

}  // namespace
}  // namespace mm::api
