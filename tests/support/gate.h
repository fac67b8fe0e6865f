#pragma once

#include <condition_variable>
#include <mutex>

namespace mm::testing {

// Where a test double holds the calls a test wants held (a store's write, an API
// request that hangs like one to an API server whose etcd is stopped) until the
// test opens it.
class Gate {
 public:
  explicit Gate(bool open) : open_(open) {}

  // Returns once the gate is open; counted as held while it waits.
  void Pass() {
    std::unique_lock lock(mu_);
    ++held_;
    entered_.notify_all();
    opened_.wait(lock, [&] { return open_; });
    --held_;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    opened_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void WaitUntilHeld() {
    std::unique_lock lock(mu_);
    entered_.wait(lock, [&] { return held_ > 0; });
  }
  int held() {
    std::lock_guard lock(mu_);
    return held_;
  }

 private:
  std::mutex mu_;
  std::condition_variable entered_, opened_;
  bool open_;
  int held_ = 0;
};

}  // namespace mm::testing
