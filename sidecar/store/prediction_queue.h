#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "sidecar/store/prediction_sink.h"
#include "sidecar/store/prediction_store.h"

namespace mm::sidecar {

struct PredictionQueueOptions {
  size_t capacity = 65536;  // predictions waiting to be written; beyond: dropped and counted
  size_t max_batch = 4096;  // most predictions per store transaction
  // How long the writer lets a batch fill before it writes it (unless the batch is
  // full or a Flush waits): every transaction writes each page it touched to the
  // WAL, so one row per transaction costs as much as hundreds in one.
  std::chrono::milliseconds gather{100};
};

// The bounded queue in front of the PredictionStore: the request path Offers and
// returns at once; one writer thread stores batches, each in one transaction.
// What the store reported for a written batch goes to `on_written` (the metrics).
class PredictionQueue final : public PredictionSink {
 public:
  using WrittenCallback =
      std::function<void(std::span<const metrics::Prediction>, const PutResult&)>;

  PredictionQueue(PredictionStore* store, std::function<metrics::TimeMs()> now,
                  PredictionQueueOptions options, WrittenCallback on_written);
  ~PredictionQueue() override;  // writes what is queued, then stops
  PredictionQueue(const PredictionQueue&) = delete;
  PredictionQueue& operator=(const PredictionQueue&) = delete;

  bool Offer(metrics::Prediction prediction) noexcept override;
  // Returns once everything offered before the call has been written (or failed).
  // The label path calls it first, so a label never races its own prediction in
  // this queue.
  void Flush();

  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  int64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }
  int64_t queued() const;

 private:
  void Run();

  PredictionStore* store_;
  std::function<metrics::TimeMs()> now_;
  PredictionQueueOptions options_;
  WrittenCallback on_written_;

  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::deque<metrics::Prediction> queue_;
  uint64_t offered_seq_ = 0;  // predictions accepted so far
  uint64_t done_seq_ = 0;     // predictions written (or failed) so far
  bool stopping_ = false;
  bool writer_idle_ = false;
  bool writer_gathering_ = false;
  int flushes_waiting_ = 0;
  std::atomic<int64_t> dropped_{0};
  std::atomic<int64_t> write_errors_{0};
  std::thread writer_;
};

}  // namespace mm::sidecar
