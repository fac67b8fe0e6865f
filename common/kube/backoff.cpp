#include "common/kube/backoff.h"

#include <algorithm>
#include <cmath>

namespace mm::kube {

std::chrono::milliseconds Backoff::Delay(int failures) const {
  const double ms = static_cast<double>(base.count()) * std::pow(factor, std::max(0, failures));
  if (!std::isfinite(ms) || ms >= static_cast<double>(max.count())) return max;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::chrono::milliseconds Backoff::Jittered(int failures, std::mt19937& rng) const {
  const auto d = Delay(failures);
  if (jitter <= 0 || d.count() == 0) return d;
  std::uniform_real_distribution<double> u(0.0, jitter);
  return d +
         std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) * u(rng)));
}

std::chrono::milliseconds ItemBackoff::When(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const int n = failures_[key]++;
  return backoff_.Delay(n);
}

void ItemBackoff::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemBackoff::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

}  // namespace mm::kube
