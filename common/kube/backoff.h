#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

namespace mm::kube {

// Exponential backoff: base * factor^n, capped at max; with jitter in [0, jitter)
// of the delay added on top when jitter > 0 (wait.Backoff in client-go).
struct Backoff {
  std::chrono::milliseconds base{5};
  std::chrono::milliseconds max{std::chrono::seconds(1000)};
  double factor = 2.0;
  double jitter = 0.0;

  // The delay before attempt `failures` + 1, before jitter.
  std::chrono::milliseconds Delay(int failures) const;
  // Delay(failures) plus jitter drawn from `rng`.
  std::chrono::milliseconds Jittered(int failures, std::mt19937& rng) const;
};

// Per-item exponential failure rate limiting (client-go's
// ItemExponentialFailureRateLimiter): each key has its own failure count; the
// delay doubles per failure until Forget(key). Thread-safe.
class ItemBackoff {
 public:
  explicit ItemBackoff(Backoff backoff = {}) : backoff_(backoff) {}
  // Records one more failure of `key` and returns how long to wait before retrying.
  std::chrono::milliseconds When(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

 private:
  Backoff backoff_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;
};

}  // namespace mm::kube
