#include "sidecar/proxy/upstream_pool.h"

namespace mm::sidecar {

std::unique_ptr<UpstreamConnection> UpstreamPool::Take() {
  const auto now = std::chrono::steady_clock::now();
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since < idle_timeout_ && c->stream.socket().is_open()) {
      c->reused = true;
      return c;
    }
    // Too old: dropping it closes the socket.
  }
  return nullptr;
}

void UpstreamPool::Return(std::unique_ptr<UpstreamConnection> connection) {
  if (idle_.size() >= max_idle_ || connection->buffer.size() != 0) return;  // closes it
  connection->idle_since = std::chrono::steady_clock::now();
  connection->stream.expires_never();
  idle_.push_back(std::move(connection));
}

}  // namespace mm::sidecar
