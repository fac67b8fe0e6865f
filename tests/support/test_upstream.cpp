#include "tests/support/test_upstream.h"

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

namespace mm::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::optional<bhttp::request<bhttp::string_body>> TestUpstream::Connection::ReadRequest() {
  bhttp::request<bhttp::string_body> req;
  boost::beast::error_code ec;
  bhttp::read(socket_, buffer_, req, ec);
  if (ec) return std::nullopt;
  return req;
}

bool TestUpstream::Connection::Write(const std::string& bytes) {
  boost::beast::error_code ec;
  asio::write(socket_, asio::buffer(bytes), ec);
  return !ec;
}

TestUpstream::TestUpstream(Serve serve, uint16_t port) : serve_(std::move(serve)), acceptor_(io_) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  if (port != 0) acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept_thread_ = std::thread([this] {
    while (!stopping_) {
      boost::beast::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      auto connection = std::make_shared<Connection>(std::move(socket));
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(connection);
      threads_.emplace_back([this, connection] {
        serve_(*connection);
        std::lock_guard<std::mutex> done(mu_);  // serve returned: the model hangs up
        boost::beast::error_code ignored;
        connection->socket().shutdown(tcp::socket::shutdown_both, ignored);
        connection->socket().close(ignored);
      });
    }
  });
}

TestUpstream::~TestUpstream() {
  stopping_ = true;
  boost::beast::error_code ec;
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes a blocked accept() on Linux
  accept_thread_.join();
  acceptor_.close(ec);  // after the join: closing under a running accept() is a race (TSan)
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : open_) {
      if (c->socket().is_open()) c->socket().shutdown(tcp::socket::shutdown_both, ec);
    }
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

std::string TestUpstream::Response(int status, const std::string& content_type,
                                   const std::string& body, const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" +
         body;
}

}  // namespace mm::testing
