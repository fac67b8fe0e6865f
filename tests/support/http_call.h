#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mm::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (then `body` says why)
  std::string body;
};

// One plain HTTP/1.1 request over a fresh connection to ip:port, everything
// within `timeout` (tests driving sidecars the way a client or Service would).
HttpAnswer HttpCall(const std::string& ip, uint16_t port, const std::string& method,
                    const std::string& target, const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace mm::testing
