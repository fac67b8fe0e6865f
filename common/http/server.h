#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace mm::http {

// One HTTP/1.1 request as a handler sees it; the body is complete and within the
// server's limit. Header names are lower-case.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/labels" (no query)
  std::string query;   // "a=1&b=2" (no '?')
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  std::string_view Header(std::string_view lower_case_name) const;  // "" when absent
  std::string QueryParam(std::string_view name) const;              // decoded; "" when absent
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
  static Response Json(int status, const nlohmann::json& body);
  // {"error": message}: every refusal says what was wrong.
  static Response Error(int status, std::string message);
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port; see Server::port()
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30000};
  int threads = 1;
  // When set, the server speaks TLS 1.2+ only with this context (the server raises
  // the context's minimum protocol version to TLS 1.2).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// A small HTTP/1.1 server (Boost.Beast) for control traffic: admin ports,
// the admission webhook, the operator's API. Not the sidecar's data path.
// Oversized, malformed or timed-out requests get a clear 4xx (413 body, 431
// headers, 408 read timeout, 400 malformed) and never reach a handler; an
// exception from a handler becomes a 500; unknown paths 404, wrong methods 405.
// Keep-alive is supported. Handlers run on the server's threads (`threads`), so a
// handler shared between routes must be thread-safe when threads > 1. Stop()
// closes the port and joins the threads; open connections are dropped.
class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes: exact path, or a prefix ending in '/'. Register before Start().
  void Handle(std::string method, std::string path, Handler handler);
  void HandlePrefix(std::string method, std::string prefix, Handler handler);

  Status Start();
  void Stop();
  uint16_t port() const;
  // New connections use this context from now on (certificate rotation); open
  // connections keep theirs. Safe to call from any thread while serving.
  void SetTlsContext(std::shared_ptr<boost::asio::ssl::context> tls);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm::http
