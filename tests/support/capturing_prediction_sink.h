#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "sidecar/store/prediction_sink.h"
#include "tests/support/wait.h"

namespace mm::testing {

// A PredictionSink that keeps every prediction offered to it, for tests.
class CapturingPredictionSink : public sidecar::PredictionSink {
 public:
  bool Offer(metrics::Prediction prediction) noexcept override {
    std::lock_guard lock(mu_);
    predictions_.push_back(std::move(prediction));
    return true;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return predictions_.size();
  }
  // Waits up to `timeout` for at least `n` predictions, then returns all of them.
  std::vector<metrics::Prediction> Await(size_t n, std::chrono::milliseconds timeout) const {
    mm::testing::WaitFor([&] { return size() >= n; }, timeout, std::chrono::milliseconds(1));
    std::lock_guard lock(mu_);
    return predictions_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<metrics::Prediction> predictions_;
};

}  // namespace mm::testing
