#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

namespace mm::testing {

// One client connection kept alive across requests, for tests that check a
// connection outlives something (a config reload, a stream in flight).
class KeepAliveClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  KeepAliveClient(const std::string& ip, uint16_t port);

  // A GET, or a POST of `{}` as JSON, on this connection; result 0 when the
  // connection failed.
  Response Get(const std::string& target);
  Response Post(const std::string& target);
  // Raw bytes until `needle` has arrived (or the connection ends).
  std::string ReadUntil(const std::string& needle);
  void SendRaw(const std::string& bytes);
  // The peer's end of this connection is still open: nothing to read, no EOF.
  bool Open();

 private:
  Response Send(boost::beast::http::request<boost::beast::http::string_body> req);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace mm::testing
