#include "common/kube/work_queue.h"

namespace mm::kube {

WorkQueue::WorkQueue(Backoff backoff) : backoff_(backoff) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // re-queued by Done()
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  const auto ready = Clock::now() + delay;
  auto [it, inserted] = waiting_.emplace(key, ready);
  if (!inserted) {
    if (it->second <= ready) return;
    it->second = ready;
  }
  delayed_.push({ready, key});
  cv_.notify_all();  // a waiting Get() may need to wake earlier
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, backoff_.When(key)); }

void WorkQueue::Forget(const std::string& key) { backoff_.Forget(key); }

void WorkQueue::PromoteReadyLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.top().ready <= now) {
    const Delayed top = delayed_.top();
    delayed_.pop();
    auto it = waiting_.find(top.key);
    if (it == waiting_.end() || it->second != top.ready) continue;  // superseded
    waiting_.erase(it);
    AddLocked(top.key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    PromoteReadyLocked(Clock::now());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.top().ready);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  // Queued even while shut down (Get hands out nothing then): a dirty key that is
  // not processing must be in queue_, or every later Add of it is taken for a
  // duplicate and it is never handed out again after Reopen.
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

void WorkQueue::Reopen() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = false;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkQueue::Waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

size_t WorkQueue::Processing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return processing_.size();
}

}  // namespace mm::kube
