#include "sidecar/store/prediction_queue.h"

#include <utility>
#include <vector>

namespace mm::sidecar {

PredictionQueue::PredictionQueue(PredictionStore* store, std::function<metrics::TimeMs()> now,
                                 PredictionQueueOptions options, WrittenCallback on_written)
    : store_(store),
      now_(std::move(now)),
      options_(options),
      on_written_(std::move(on_written)),
      writer_([this] { Run(); }) {}

PredictionQueue::~PredictionQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
}

bool PredictionQueue::Offer(metrics::Prediction prediction) noexcept {
  try {
    std::unique_lock lock(mu_);
    if (stopping_ || queue_.size() >= options_.capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(prediction));
    ++offered_seq_;
    const bool wake = writer_idle_ || (writer_gathering_ && queue_.size() >= options_.max_batch);
    lock.unlock();
    if (wake) wake_writer_.notify_one();
    return true;
  } catch (...) {  // allocation failure: drop rather than fail the request
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
}

void PredictionQueue::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = offered_seq_;
  ++flushes_waiting_;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return done_seq_ >= target; });
  --flushes_waiting_;
}

int64_t PredictionQueue::queued() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(queue_.size());
}

void PredictionQueue::Run() {
  std::vector<metrics::Prediction> batch;
  batch.reserve(options_.max_batch);
  std::unique_lock lock(mu_);
  while (true) {
    // Group commit: once something is queued the writer lets the batch fill for up
    // to options_.gather (less when it is full, a Flush waits or the queue stops),
    // then writes it in one transaction; while that commits the next batch fills.
    writer_idle_ = true;
    wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    writer_idle_ = false;
    if (queue_.empty()) return;  // stopping, and everything is written
    writer_gathering_ = true;
    wake_writer_.wait_for(lock, options_.gather, [&] {
      return stopping_ || flushes_waiting_ > 0 || queue_.size() >= options_.max_batch;
    });
    writer_gathering_ = false;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    auto result = store_->Put(batch, now_());
    if (result) {
      if (on_written_) on_written_(batch, result.value());
    } else {  // the store's health logs the degraded mode; here the loss is counted
      write_errors_.fetch_add(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    }
    const uint64_t n = batch.size();
    batch.clear();
    lock.lock();
    done_seq_ += n;
    written_.notify_all();
  }
}

}  // namespace mm::sidecar
