#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "sidecar/proxy/deadline_socket.h"

namespace mm::sidecar {

// A keep-alive connection to the model and the bytes read past its last response.
struct UpstreamConnection {
  explicit UpstreamConnection(const DeadlineSocket::executor_type& ex) : stream(ex) {}
  DeadlineSocket stream;
  boost::beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
  bool reused = false;  // taken from the pool (may have been closed by the model meanwhile)
};

// Idle upstream connections of one worker, most recently used first (so the
// fewest connections stay warm). Connections idle longer than `idle_timeout` are
// closed rather than reused: model servers close idle keep-alive connections
// (uvicorn after 5 s) and a request sent on one would fail. Single-threaded.
class UpstreamPool {
 public:
  UpstreamPool(size_t max_idle, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle), idle_timeout_(idle_timeout) {}

  std::unique_ptr<UpstreamConnection> Take();
  void Return(std::unique_ptr<UpstreamConnection> connection);
  size_t idle() const { return idle_.size(); }

 private:
  size_t max_idle_;
  std::chrono::milliseconds idle_timeout_;
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;
};

}  // namespace mm::sidecar
