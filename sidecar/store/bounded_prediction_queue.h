#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "sidecar/proxy/prediction_record.h"

namespace mm::sidecar {

// A PredictionRecordSink that holds up to `capacity` records for a consumer thread (the
// durable prediction store) and drops what does not fit, counting the drops.
class BoundedPredictionQueue : public PredictionRecordSink {
 public:
  explicit BoundedPredictionQueue(size_t capacity) : capacity_(capacity) {}

  bool Offer(PredictionRecord record) override;
  // Waits up to `timeout` for records, then takes up to `max` of them (oldest first).
  std::vector<PredictionRecord> Take(size_t max, std::chrono::milliseconds timeout);
  size_t size() const;
  uint64_t dropped() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<PredictionRecord> records_;
  uint64_t dropped_ = 0;
};

}  // namespace mm::sidecar
