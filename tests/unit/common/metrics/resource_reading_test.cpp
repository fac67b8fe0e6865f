#include "common/metrics/resource_reading.h"

#include <gtest/gtest.h>

namespace mm::metrics {
namespace {

using nlohmann::json;

TEST(ResourceReadingTest, RoundTripsAndLeavesMissingSourcesOut) {
  ResourceReading r;
  r.pid = 42;
  r.cpu_cores = 0.25;
  r.resident_memory_bytes = 1000;
  r.gpus = std::vector<GpuReading>{{0, 0.5, 10, 100}, {1, 0.1, 30, 100}};
  const json j = r.ToJson();
  EXPECT_FALSE(j.contains("workingSetBytes"));  // absent, never 0
  EXPECT_EQ(j["gpus"][1]["memoryUsedBytes"], 30);
  auto back = ResourceReading::FromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), r);
  EXPECT_DOUBLE_EQ(*back->memory_bytes(), 1000);  // resident when no working set
  EXPECT_DOUBLE_EQ(*back->gpu_utilization(), 0.3);
  EXPECT_DOUBLE_EQ(*back->gpu_memory_bytes(), 40);
  EXPECT_TRUE(ResourceReading{}.empty());
  EXPECT_FALSE(ResourceReading{}.gpu_utilization().has_value());
}

TEST(ResourceReadingTest, AFieldOfTheWrongTypeIsNamed) {
  auto bad = ResourceReading::FromJson({{"cpuCores", "lots"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "resources.cpuCores: expected a number");
  auto negative = ResourceReading::FromJson({{"workingSetBytes", -1}});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().message, "resources.workingSetBytes: expected a non-negative integer");
  auto gpu = ResourceReading::FromJson({{"gpus", {{{"index", 0}, {"utilization", 0.5}}}}});
  ASSERT_FALSE(gpu.ok());
  EXPECT_NE(gpu.error().message.find("resources.gpus[0]."), std::string::npos)
      << gpu.error().message;
  EXPECT_FALSE(ResourceReading::FromJson(json::array()).ok());
}

}  // namespace
}  // namespace mm::metrics
