#include "sidecar/store/prediction_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "tests/support/gate.h"
#include "tests/support/wait.h"

namespace mm::sidecar {
namespace {

// A store whose Put can be held, to fill the queue deterministically.
class GatedStore final : public PredictionStore {
 public:
  Result<PutResult> Put(std::span<const metrics::Prediction> predictions,
                        metrics::TimeMs) override {
    gate_.Pass();
    std::lock_guard lock(mu_);
    stored_ += static_cast<int64_t>(predictions.size());
    ++puts_;
    PutResult r;
    r.written = static_cast<int64_t>(predictions.size());
    r.stored.assign(predictions.size(), true);
    return r;
  }
  Result<ApplyLabelsResult> ApplyLabels(std::span<const metrics::Label>, metrics::TimeMs) override {
    return ApplyLabelsResult{};
  }
  Result<SweepResult> Sweep(metrics::TimeMs) override { return SweepResult{}; }
  StoreStats Stats() const override { return {}; }
  Status ForEachJoined(metrics::TimeMs,
                       const std::function<void(const metrics::JoinedLabel&)>&) override {
    return OkStatus();
  }

  void WaitUntilAPutIsHeld() { gate_.WaitUntilHeld(); }
  void Open() { gate_.Open(); }
  int64_t stored() {
    std::lock_guard lock(mu_);
    return stored_;
  }
  int puts() {
    std::lock_guard lock(mu_);
    return puts_;
  }

 private:
  testing::Gate gate_{false};
  std::mutex mu_;
  int64_t stored_ = 0;
  int puts_ = 0;
};

metrics::Prediction P(int i) {
  return metrics::Prediction{"id" + std::to_string(i), i, "r", 0, {}};
}

TEST(PredictionQueueTest, DropsAndCountsWhenFullAndNeverBlocks) {
  GatedStore store;
  int64_t reported = 0;
  PredictionQueue queue(
      &store, [] { return metrics::TimeMs{0}; }, {.capacity = 10, .max_batch = 4},
      [&](std::span<const metrics::Prediction> batch, const PutResult&) {
        reported += static_cast<int64_t>(batch.size());
      });
  ASSERT_TRUE(queue.Offer(P(0)));
  store.WaitUntilAPutIsHeld();  // the writer holds P(0); the queue is empty again
  int accepted = 0;
  for (int i = 1; i <= 25; ++i) accepted += queue.Offer(P(i)) ? 1 : 0;
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(queue.dropped(), 15);
  store.Open();
  queue.Flush();
  EXPECT_EQ(store.stored(), 11);
  EXPECT_EQ(reported, 11);
  EXPECT_EQ(queue.queued(), 0);
}

TEST(PredictionQueueTest, ABatchFillsForTheGatherTimeUnlessFullOrFlushed) {
  GatedStore store;
  store.Open();
  PredictionQueue queue(
      &store, [] { return metrics::TimeMs{0}; },
      {.capacity = 100, .max_batch = 10, .gather = std::chrono::hours(1)}, nullptr);
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(queue.Offer(P(i)));
  // Two full batches go at once; the last 5 wait for their batch to fill.
  testing::WaitFor([&] { return store.stored() == 20; }, std::chrono::seconds(5),
                   std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(store.stored(), 20);
  EXPECT_EQ(store.puts(), 2);
  const auto flush_started = std::chrono::steady_clock::now();
  queue.Flush();  // does not wait out the hour
  EXPECT_LT(std::chrono::steady_clock::now() - flush_started, std::chrono::seconds(5));
  EXPECT_EQ(store.stored(), 25);
  EXPECT_EQ(store.puts(), 3);
}

TEST(PredictionQueueTest, DestructionWritesWhatIsQueued) {
  GatedStore store;
  store.Open();
  {
    PredictionQueue queue(
        &store, [] { return metrics::TimeMs{0}; }, {}, nullptr);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(queue.Offer(P(i)));
  }
  EXPECT_EQ(store.stored(), 1000);
}

}  // namespace
}  // namespace mm::sidecar
