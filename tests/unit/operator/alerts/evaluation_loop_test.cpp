#include "operator/alerts/evaluation_loop.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/wait.h"

namespace mm::op {
namespace {

using namespace std::chrono_literals;

TEST(EvaluationLoop, RunsARoundAtStartThenAtTheIntervalOrWhenWoken) {
  std::atomic<int> evaluated{0};
  EvaluationLoop loop(
      1h,
      [] {
        return std::vector<EvaluationLoop::Key>{{"prod", "fraud"}, {"prod", "churn"}};
      },
      [&](const std::string& ns, const std::string&) {
        if (ns == "prod") ++evaluated;
      });
  loop.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return loop.rounds() == 1; }, 5s, 5ms));
  EXPECT_EQ(evaluated.load(), 2);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(loop.rounds(), 1) << "the next round waits for the interval";
  loop.Wake();  // e.g. Alertmanager's receiver recorded an alert
  ASSERT_TRUE(testing::WaitFor([&] { return loop.rounds() == 2; }, 5s, 5ms));
  EXPECT_EQ(evaluated.load(), 4);
  loop.Stop();
}

}  // namespace
}  // namespace mm::op
