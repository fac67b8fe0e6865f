#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace mm::http {

// One plain-HTTP/1.1 request to a peer we run ourselves (a sidecar's admin port),
// over a fresh connection closed afterwards. Header names as sent.
struct ClientRequest {
  std::string method = "GET";
  std::string host;  // an IP address (pods are reached by IP)
  uint16_t port = 0;
  std::string target = "/";  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // empty: none
  std::string body;
  // The whole exchange (connect, send, receive) must finish within this.
  std::chrono::milliseconds timeout{5000};
  size_t max_response_bytes = 8 << 20;
};

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Sends `request` and reads the whole answer. An error (no answer at all) says
// which step failed: `connect 10.0.0.7:9090: Connection refused`, `timed out
// after 5000 ms`; an HTTP error status is an answer, not an error.
Result<ClientResponse> Send(const ClientRequest& request);

}  // namespace mm::http
