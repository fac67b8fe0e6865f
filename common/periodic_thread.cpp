#include "common/periodic_thread.h"

namespace mm {

void PeriodicThread::Start(std::chrono::milliseconds every, std::function<void()> tick) {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, every, tick = std::move(tick)] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, every, [this] { return stopping_; })) {
      lock.unlock();
      tick();
      lock.lock();
    }
  });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mm
