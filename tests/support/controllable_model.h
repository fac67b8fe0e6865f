#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/test_upstream.h"

namespace mm::testing {

// A model server on 127.0.0.1 whose answers a test changes while it runs: each
// request is answered after `delay_ms` with status `status` and the JSON `body`.
class ControllableModel {
 public:
  explicit ControllableModel(std::string body = "[0.9]")
      : body_(std::move(body)), upstream_([this](TestUpstream::Connection& c) {
          while (c.ReadRequest()) {
            const int delay = delay_ms.load();
            if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            if (!c.Write(TestUpstream::Response(status.load(), "application/json", body_))) {
              return;
            }
          }
        }) {}
  std::string address() const { return "127.0.0.1:" + std::to_string(upstream_.port()); }

  std::atomic<int> delay_ms{0};
  std::atomic<int> status{200};

 private:
  const std::string body_;
  TestUpstream upstream_;
};

}  // namespace mm::testing
