#include "sidecar/store/bounded_prediction_queue.h"

namespace mm::sidecar {

bool BoundedPredictionQueue::Offer(PredictionRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (records_.size() >= capacity_) {
      ++dropped_;
      return false;
    }
    records_.push_back(std::move(record));
  }
  ready_.notify_one();
  return true;
}

std::vector<PredictionRecord> BoundedPredictionQueue::Take(size_t max,
                                                           std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait_for(lock, timeout, [this] { return !records_.empty(); });
  std::vector<PredictionRecord> out;
  while (!records_.empty() && out.size() < max) {
    out.push_back(std::move(records_.front()));
    records_.pop_front();
  }
  return out;
}

size_t BoundedPredictionQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_.size();
}

uint64_t BoundedPredictionQueue::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace mm::sidecar
