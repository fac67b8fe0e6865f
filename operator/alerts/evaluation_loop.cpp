#include "operator/alerts/evaluation_loop.h"

namespace mm::op {

EvaluationLoop::EvaluationLoop(std::chrono::milliseconds interval,
                               std::function<std::vector<Key>()> list,
                               std::function<void(const std::string&, const std::string&)> evaluate,
                               std::function<void(double)> observe_round)
    : interval_(interval),
      list_(std::move(list)),
      evaluate_(std::move(evaluate)),
      observe_round_(std::move(observe_round)) {}

EvaluationLoop::~EvaluationLoop() { Stop(); }

void EvaluationLoop::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void EvaluationLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void EvaluationLoop::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

int64_t EvaluationLoop::rounds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rounds_;
}

void EvaluationLoop::Run() {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next, [&] { return !running_ || woken_; });
      if (!running_) return;
      woken_ = false;
    }
    const auto start = std::chrono::steady_clock::now();
    next = start + interval_;
    for (const auto& [ns, name] : list_()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!running_) return;
      }
      evaluate_(ns, name);
    }
    if (observe_round_) {
      observe_round_(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++rounds_;
  }
}

}  // namespace mm::op
