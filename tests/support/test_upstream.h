#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mm::testing {

// A scriptable HTTP/1.1 model server on 127.0.0.1 for proxy tests: every accepted
// connection runs `serve` on its own thread with blocking socket calls, so a test
// can send exactly the bytes it wants, when it wants (malformed responses,
// streams held back until the test lets them go, silence for timeouts).
class TestUpstream {
 public:
  class Connection {
   public:
    explicit Connection(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
    // The next request, or nullopt when the peer closed the connection.
    std::optional<boost::beast::http::request<boost::beast::http::string_body>> ReadRequest();
    bool Write(const std::string& bytes);
    boost::asio::ip::tcp::socket& socket() { return socket_; }

   private:
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
  };
  using Serve = std::function<void(Connection&)>;

  // Listens on 127.0.0.1:`port`; 0 picks a free port. A given port is bound with
  // SO_REUSEADDR, so a model server can come back on the port of one just killed.
  explicit TestUpstream(Serve serve, uint16_t port = 0);
  ~TestUpstream();  // closes every connection and joins
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

  // A complete response with Content-Length.
  static std::string Response(int status, const std::string& content_type, const std::string& body,
                              const std::string& extra_headers = "");

 private:
  Serve serve_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> open_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace mm::testing
