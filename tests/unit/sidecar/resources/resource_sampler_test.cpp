#include "sidecar/resources/resource_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace mm::sidecar {
namespace {

ResourceSamplerOptions Options(pid_t pid) {
  ResourceSamplerOptions o;
  o.model_pid = pid;
  o.nvml_library = "libmodelmonitor-no-such-nvml.so";  // no GPU: cpu and memory only
  return o;
}

// Every sample that read something counts as one reading (the snapshot's buckets
// count them, and a resource alert's samples are those readings over its window).
TEST(ResourceSamplerTest, EachSampleThatReadsSomethingIsAReading) {
  prometheus::Registry registry;
  ResourceSampler sampler(Options(getpid()), registry);
  int readings = 0;
  sampler.OnReading([&] { ++readings; });
  sampler.SampleOnce();
  sampler.SampleOnce();
  EXPECT_EQ(readings, 2);
  EXPECT_TRUE(sampler.Latest().resident_memory_bytes.has_value());
}

TEST(ResourceSamplerTest, ASampleThatReadsNothingIsNoReading) {
  prometheus::Registry registry;
  ResourceSampler sampler(Options(999'999'999), registry);  // no such process
  int readings = 0;
  sampler.OnReading([&] { ++readings; });
  sampler.SampleOnce();
  EXPECT_EQ(readings, 0);
  EXPECT_TRUE(sampler.Latest().empty());
}

}  // namespace
}  // namespace mm::sidecar
