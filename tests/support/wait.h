#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace mm::testing {

// Waits until `condition` holds or `timeout` passes; polls, never sleeps blindly.
// Returns whether the condition held.
inline bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace mm::testing
