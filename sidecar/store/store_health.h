#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

namespace mm::sidecar {

// What a store transaction was writing.
enum class StoreOperation { kPredictions = 0, kLabels = 1, kSweep = 2 };
// Why it failed: the store's volume is full (ENOSPC, quota), or anything else.
enum class StoreFailure { kFull = 0, kError = 1 };

// Whether the prediction store can write: the sidecar's degraded mode when its
// volume is full or failing. Inference never waits on the store, so a store that
// cannot write costs predictions and labels, never requests; this makes the cost
// visible: failed transactions counted by operation and cause, `degraded()` while
// the last write failed, one warning when writes start failing and one info line
// when they succeed again (not a line per failure: a full volume fails every
// write). Thread-safe.
class StoreHealth {
 public:
  struct Counts {
    bool degraded = false;
    bool full = false;            // degraded, and the last failure was a full volume
    int64_t failures[3][2] = {};  // [StoreOperation][StoreFailure]
  };

  // A transaction that changed the database committed: the store writes (again).
  // Transactions that changed nothing prove nothing (a full volume accepts them).
  void Committed();
  void Failed(StoreOperation operation, StoreFailure cause, std::string_view error);
  Counts counts() const;

  static const char* Name(StoreOperation operation);
  static const char* Name(StoreFailure cause);

 private:
  mutable std::mutex mu_;
  Counts counts_;
  int64_t episode_failures_ = 0;  // failures since the store last wrote
};

}  // namespace mm::sidecar
