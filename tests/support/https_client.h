#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace mm::testing {

struct HttpsResponse {
  int status = 0;
  std::string body;
};

// One HTTPS POST over a fresh connection, verifying the server against
// `ca_pem` and the IP 127.0.0.1 (tests and benchmarks of our own servers).
Result<HttpsResponse> HttpsPost(const std::string& host, uint16_t port, const std::string& path,
                                const std::string& body, const std::string& ca_pem,
                                const std::string& content_type = "application/json",
                                const std::string& authorization = "");

// Any method, with an optional Authorization header value ("Bearer ...").
Result<HttpsResponse> HttpsRequest(const std::string& method, const std::string& host,
                                   uint16_t port, const std::string& path, const std::string& body,
                                   const std::string& ca_pem, const std::string& content_type,
                                   const std::string& authorization);

// Sends only the headers of a POST announcing `content_length` body bytes and
// reads the answer: how a client learns of a size limit (413) without the
// server closing on unread data (which resets the connection, losing the answer).
Result<HttpsResponse> HttpsPostHeadersOnly(const std::string& host, uint16_t port,
                                           const std::string& path, size_t content_length,
                                           const std::string& ca_pem);

}  // namespace mm::testing
