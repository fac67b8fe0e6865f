#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace mm::sidecar {

// Makes prediction ids (random UUID version 4 text) and sampling decisions for one
// proxy worker. Not thread-safe: each worker owns one.
class RequestRandom {
 public:
  explicit RequestRandom(uint64_t seed) : rng_(seed) {}
  std::string NewPredictionId();
  // True with probability `rate` (0 never, 1 always).
  bool Sample(double rate);

 private:
  std::mt19937_64 rng_;
};

}  // namespace mm::sidecar
