#include "sidecar/resources/process_usage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>

#include "sidecar/resources/nvml_gpus.h"

namespace mm::sidecar {
namespace {

namespace fs = std::filesystem;

TEST(ProcessUsageTest, FindsTheProcessListeningOnAPortAndReadsItsUsage) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, {boost::asio::ip::make_address("127.0.0.1"), 0});  // listens in this process
  auto pid = FindListeningProcess("/proc", acceptor.local_endpoint().port());
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_EQ(*pid, getpid());

  volatile double sink = 0;
  for (int i = 0; i < 20000000; ++i) sink = sink + i * 0.5;  // some CPU time to see
  auto usage = ReadProcessTreeUsage("/proc", getpid());
  ASSERT_TRUE(usage.ok()) << usage.error().message;
  EXPECT_GT(usage->cpu_seconds, 0);
  EXPECT_GT(usage->resident_bytes, 1u << 20);
  EXPECT_GE(usage->processes, 1u);
}

TEST(ProcessUsageTest, MissingProcessOrListenerIsAClearError) {
  auto none = FindListeningProcess("/proc", 1);  // nothing listens on port 1 here
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("port 1"), std::string::npos);
  EXPECT_FALSE(ReadProcessTreeUsage("/proc", 999999999).ok());
}

TEST(ProcessUsageTest, ReadsCgroupV2WorkingSetLikeTheKubelet) {
  const fs::path root = fs::temp_directory_path() / ("mm-cgroup-" + std::to_string(getpid()));
  fs::create_directories(root / "proc/42");
  fs::create_directories(root / "cg/kubepods/pod1/model");
  std::ofstream(root / "proc/42/cgroup") << "0::/kubepods/pod1/model\n";
  std::ofstream(root / "cg/kubepods/pod1/model/memory.current") << "1048576000\n";
  std::ofstream(root / "cg/kubepods/pod1/model/memory.stat")
      << "anon 1000\nfile 2000\ninactive_file 48576000\nactive_file 5\n";
  std::ofstream(root / "cg/kubepods/pod1/model/cpu.stat")
      << "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n";
  const std::string dir = CgroupDirOf((root / "proc").string(), (root / "cg").string(), 42);
  EXPECT_EQ(dir, (root / "cg/kubepods/pod1/model").string());
  const CgroupUsage u = ReadCgroupUsage(dir);
  EXPECT_DOUBLE_EQ(*u.cpu_seconds, 2.5);
  EXPECT_EQ(*u.memory_bytes, 1048576000u);
  EXPECT_EQ(*u.working_set_bytes, 1000000000u);
  EXPECT_FALSE(ReadCgroupUsage("").memory_bytes.has_value());
  EXPECT_EQ(CgroupDirOf((root / "proc").string(), (root / "cg").string(), 43), "");
  fs::remove_all(root);
}

TEST(NvmlGpusTest, AbsentLibraryMeansNoGpuMetricsNotAnError) {
  auto gpus = NvmlGpus::Load("libnvidia-ml-does-not-exist.so.1");
  EXPECT_FALSE(gpus->available());
  EXPECT_TRUE(gpus->Sample().empty());
  EXPECT_NE(gpus->why_unavailable().find("GPU metrics are absent"), std::string::npos);
}

}  // namespace
}  // namespace mm::sidecar
