#include "sidecar/store/prediction_queue.h"

#include <gtest/gtest.h>

#include <mutex>

#include "tests/support/gate.h"

namespace mm::sidecar {
namespace {

// A store whose Put can be held, to fill the queue deterministically.
class GatedStore final : public PredictionStore {
 public:
  Result<PutResult> Put(std::span<const Prediction> predictions, TimeMs) override {
    gate_.Pass();
    std::lock_guard lock(mu_);
    stored_ += static_cast<int64_t>(predictions.size());
    PutResult r;
    r.written = static_cast<int64_t>(predictions.size());
    r.stored.assign(predictions.size(), true);
    return r;
  }
  Result<ApplyLabelsResult> ApplyLabels(std::span<const Label>, TimeMs) override {
    return ApplyLabelsResult{};
  }
  Result<SweepResult> Sweep(TimeMs) override { return SweepResult{}; }
  StoreStats Stats() const override { return {}; }
  Status ForEachJoined(TimeMs, const std::function<void(const JoinedLabel&)>&) override {
    return OkStatus();
  }

  void WaitUntilAPutIsHeld() { gate_.WaitUntilHeld(); }
  void Open() { gate_.Open(); }
  int64_t stored() {
    std::lock_guard lock(mu_);
    return stored_;
  }

 private:
  testing::Gate gate_{false};
  std::mutex mu_;
  int64_t stored_ = 0;
};

Prediction P(int i) { return Prediction{"id" + std::to_string(i), i, "r", 0, {}}; }

TEST(PredictionQueueTest, DropsAndCountsWhenFullAndNeverBlocks) {
  GatedStore store;
  int64_t reported = 0;
  PredictionQueue queue(
      &store, [] { return TimeMs{0}; }, {.capacity = 10, .max_batch = 4},
      [&](std::span<const Prediction> batch, const PutResult&) {
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

TEST(PredictionQueueTest, DestructionWritesWhatIsQueued) {
  GatedStore store;
  store.Open();
  {
    PredictionQueue queue(
        &store, [] { return TimeMs{0}; }, {}, nullptr);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(queue.Offer(P(i)));
  }
  EXPECT_EQ(store.stored(), 1000);
}

}  // namespace
}  // namespace mm::sidecar
