#include "common/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/wait.h"

namespace mm {
namespace {

TEST(PeriodicThreadTest, TicksEveryPeriodUntilStoppedAndStopWakesItAtOnce) {
  std::atomic<int> ticks{0};
  PeriodicThread thread;
  thread.Start(std::chrono::milliseconds(1), [&] { ++ticks; });
  EXPECT_TRUE(testing::WaitFor([&] { return ticks >= 3; }, std::chrono::seconds(5),
                               std::chrono::milliseconds(1)));
  thread.Stop();
  const int stopped_at = ticks;

  PeriodicThread slow;
  slow.Start(std::chrono::hours(1), [&] { ++ticks; });
  const auto start = std::chrono::steady_clock::now();
  slow.Stop();  // does not wait out the hour
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(ticks, stopped_at) << "no tick after Stop, none before the first period";
}

}  // namespace
}  // namespace mm
