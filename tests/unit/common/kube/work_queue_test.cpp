#include "common/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/wait.h"

namespace mm::kube {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueueTest, DeduplicatesQueuedKeys) {
  WorkQueue q;
  q.Add("ns/a");
  q.Add("ns/a");
  q.Add("ns/b");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_EQ(q.Get(), "ns/b");
}

TEST(WorkQueueTest, AKeyAddedWhileProcessingWaitsForDone) {
  WorkQueue q;
  q.Add("k");
  auto k = q.Get();
  ASSERT_EQ(k, "k");
  q.Add("k");  // an event arrives while a worker holds the key
  q.Add("k");
  EXPECT_EQ(q.Len(), 0u) << "never handed to a second worker while the first holds it";
  q.Done("k");
  EXPECT_EQ(q.Len(), 1u) << "queued once more after Done";
  EXPECT_EQ(q.Get(), "k");
}

TEST(WorkQueueTest, OneWorkerPerKeyUnderConcurrency) {
  WorkQueue q;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        const int now = ++in_flight;
        int seen = max_in_flight.load();
        while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(1ms);
        --in_flight;
        ++processed;
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 200; ++i) q.Add("same");
  EXPECT_TRUE(testing::WaitFor([&] { return q.Len() == 0 && q.Processing() == 0; }, 5s, 1ms));
  q.ShutDown();
  for (auto& w : workers) w.join();
  EXPECT_EQ(max_in_flight, 1);
  EXPECT_GE(processed, 1);
  EXPECT_LT(processed, 200) << "adds while queued or processing coalesce";
}

TEST(WorkQueueTest, AddAfterDelaysAndKeepsTheEarliestTime) {
  WorkQueue q;
  const auto start = std::chrono::steady_clock::now();
  q.AddAfter("slow", 10s);
  q.AddAfter("slow", 30ms);  // earlier wins
  q.AddAfter("slow", 20s);   // later is ignored
  EXPECT_EQ(q.Waiting(), 1u);
  EXPECT_EQ(q.Len(), 0u);
  auto k = q.Get();
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(k, "slow");
  EXPECT_GE(waited, 30ms);
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(q.Waiting(), 0u);
}

TEST(WorkQueueTest, RateLimitedRetriesBackOffPerKeyUntilForget) {
  WorkQueue q(Backoff{10ms, 1s, 2.0, 0.0});
  q.AddRateLimited("k");
  EXPECT_EQ(q.NumRequeues("k"), 1);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(q.Get(), "k");
  q.Done("k");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 10ms);
  q.AddRateLimited("k");  // second failure: 20 ms
  start = std::chrono::steady_clock::now();
  ASSERT_EQ(q.Get(), "k");
  q.Done("k");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_EQ(q.NumRequeues("k"), 2);
  EXPECT_EQ(q.NumRequeues("other"), 0);
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
}

TEST(WorkQueueTest, ShutDownWakesBlockedWorkers) {
  WorkQueue q;
  std::thread t([&] { EXPECT_FALSE(q.Get().has_value()); });
  std::this_thread::sleep_for(10ms);  // let it block; the assertion is that join returns
  q.ShutDown();
  t.join();
  q.Add("late");
  EXPECT_EQ(q.Len(), 0u);
}

// A leader that loses the lease shuts the queue down while a worker holds a key
// that an event marked again; it leads again later and reopens the queue. The
// key must be handed out then: it was lost for good, since every later Add of it
// was taken for a duplicate (OperatorTest.ConvergesAfterEtcdIsPausedPastTheRenewDeadline).
TEST(WorkQueueTest, AKeyMarkedWhileProcessingSurvivesAShutDownAndReopen) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  q.Add("k");  // an event while the worker holds the key
  q.ShutDown();
  q.Done("k");  // the worker finishes after the shutdown
  EXPECT_FALSE(q.Get().has_value()) << "nothing is handed out while shut down";
  q.Reopen();
  q.Add("k");  // the new leader queues every monitor
  ASSERT_EQ(q.Len(), 1u) << "Get would wait for ever";
  EXPECT_EQ(q.Get(), "k");
}

TEST(BackoffTest, DoublesFromBaseAndCapsAtMax) {
  Backoff b{5ms, 1000ms, 2.0, 0.0};
  EXPECT_EQ(b.Delay(0), 5ms);
  EXPECT_EQ(b.Delay(1), 10ms);
  EXPECT_EQ(b.Delay(3), 40ms);
  EXPECT_EQ(b.Delay(8), 1000ms);  // 1280 capped
  EXPECT_EQ(b.Delay(10000), 1000ms);
}

TEST(BackoffTest, JitterStaysWithinItsFraction) {
  Backoff b{800ms, 30s, 2.0, 1.0};
  std::mt19937 rng(7);
  bool varied = false;
  std::chrono::milliseconds first = b.Jittered(1, rng);
  for (int i = 0; i < 100; ++i) {
    const auto d = b.Jittered(1, rng);
    EXPECT_GE(d, 1600ms);
    EXPECT_LT(d, 3200ms);
    varied |= d != first;
  }
  EXPECT_TRUE(varied);
}

TEST(ItemBackoffTest, KeysFailIndependently) {
  ItemBackoff b(Backoff{5ms, 1s, 2.0, 0.0});
  EXPECT_EQ(b.When("a"), 5ms);
  EXPECT_EQ(b.When("a"), 10ms);
  EXPECT_EQ(b.When("b"), 5ms);
  b.Forget("a");
  EXPECT_EQ(b.When("a"), 5ms);
}

}  // namespace
}  // namespace mm::kube
