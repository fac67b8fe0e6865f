#include "operator/webhook/sidecar_resources.h"

#include <gtest/gtest.h>

namespace mm::webhook {
namespace {

using nlohmann::json;

TEST(Quantity, ParsesKubernetesSuffixes) {
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("250m")), 0.25);
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("1.5")), 1.5);
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("128Mi")), 128.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("1G")), 1e9);
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("1e3")), 1000);
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity("2E")), 2e18);  // exa, not an exponent
  EXPECT_DOUBLE_EQ(static_cast<double>(*ParseQuantity(".5")), 0.5);
  for (const char* bad : {"", "abc", "1x", "Mi", "1Mii", "1..2", "1e", "--1", "1e12345"}) {
    EXPECT_FALSE(ParseQuantity(bad).has_value()) << bad;
  }
}

TEST(SidecarResources, DefaultsThenMonitorThenAnnotations) {
  ResourceDefaults d;
  auto only_defaults = ResolveSidecarResources(d, nullptr, nullptr);
  EXPECT_EQ(only_defaults.requirements["requests"]["cpu"], "50m");
  EXPECT_EQ(only_defaults.requirements["limits"]["memory"], "256Mi");
  EXPECT_TRUE(only_defaults.warnings.empty());

  auto r = ResolveSidecarResources(d, {{"requests", {{"cpu", "100m"}}}, {"limits", {{"cpu", "2"}}}},
                                   {{"modelmonitor.io/sidecar-cpu", "300m"},
                                    {"modelmonitor.io/sidecar-memory", "100Mi"},
                                    {"modelmonitor.io/sidecar-cpu-limit", "3"},
                                    {"modelmonitor.io/sidecar-memory-limit", "1Gi"}});
  EXPECT_EQ(r.requirements["requests"]["cpu"], "300m");
  EXPECT_EQ(r.requirements["requests"]["memory"], "100Mi");
  EXPECT_EQ(r.requirements["limits"]["cpu"], "3");
  EXPECT_EQ(r.requirements["limits"]["memory"], "1Gi");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(SidecarResources, InvalidOrInconsistentAnnotationsAreIgnoredWithAWarning) {
  auto r = ResolveSidecarResources(
      ResourceDefaults{}, nullptr,
      {{"modelmonitor.io/sidecar-cpu", "lots"}, {"modelmonitor.io/sidecar-memory", "2Gi"}});
  EXPECT_EQ(r.requirements["requests"]["cpu"], "50m");
  EXPECT_EQ(r.requirements["requests"]["memory"], "64Mi");
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0],
            "modelmonitor.io/sidecar-cpu: \"lots\" is not a quantity (use e.g. 100m); ignored");
  EXPECT_EQ(r.warnings[1],
            "modelmonitor.io/sidecar-memory: \"2Gi\" would put the memory request above its "
            "limit; ignored");
}

TEST(SidecarResources, MonitorRequestAboveDefaultLimitRaisesTheLimit) {
  auto r = ResolveSidecarResources(ResourceDefaults{}, {{"requests", {{"cpu", "2"}}}}, nullptr);
  EXPECT_EQ(r.requirements["limits"]["cpu"], "2");
  ASSERT_EQ(r.warnings.size(), 1u);
}

}  // namespace
}  // namespace mm::webhook
