#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace mm::op {

// Runs `evaluate(ns, name)` for every monitor `list()` gives, every `interval`,
// on one thread, from Start() until Stop(). The controller starts it when it
// becomes the leader and stops it when it stops leading, so only the leader
// pulls snapshots and acts. A round that takes longer than the interval is
// followed by the next one at once (never two at a time).
class EvaluationLoop {
 public:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  EvaluationLoop(std::chrono::milliseconds interval, std::function<std::vector<Key>()> list,
                 std::function<void(const std::string&, const std::string&)> evaluate,
                 std::function<void(double seconds)> observe_round = nullptr);
  ~EvaluationLoop();

  void Start();
  void Stop();  // waits for the running evaluation to finish
  // Starts the next round now rather than at the interval (after the running one).
  void Wake();
  int64_t rounds() const;

 private:
  void Run();

  const std::chrono::milliseconds interval_;
  std::function<std::vector<Key>()> list_;
  std::function<void(const std::string&, const std::string&)> evaluate_;
  std::function<void(double)> observe_round_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  bool woken_ = false;
  int64_t rounds_ = 0;
  std::thread thread_;
};

}  // namespace mm::op
