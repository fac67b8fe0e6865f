#include "tests/support/http_call.h"

// <utility> first: Boost 1.74's asio headers use std::exchange without including it.
#include <utility>
//
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace mm::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

HttpAnswer HttpCall(const std::string& ip, uint16_t port, const std::string& method,
                    const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ip, ec);
  if (ec) return {0, "bad address " + ip};
  asio::io_context io;
  beast::tcp_stream stream(io);
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, ip);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  boost::system::error_code result;
  stream.expires_after(timeout);
  stream.async_connect({address, port}, [&](boost::system::error_code c) {
    if (c) {
      result = c;
      return;
    }
    bhttp::async_write(stream, req, [&](boost::system::error_code w, size_t) {
      if (w) {
        result = w;
        return;
      }
      bhttp::async_read(stream, buffer, res,
                        [&](boost::system::error_code r, size_t) { result = r; });
    });
  });
  io.run();
  stream.socket().close(ec);
  if (result) return {0, result.message()};
  return {static_cast<int>(res.result_int()), res.body()};
}

}  // namespace mm::testing
