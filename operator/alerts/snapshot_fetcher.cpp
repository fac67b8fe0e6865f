#include "operator/alerts/snapshot_fetcher.h"

// <utility> first: Boost 1.74's asio headers use std::exchange without including it.
#include <utility>
//
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace mm::op {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<nlohmann::json> HttpSnapshotFetcher::Fetch(const SidecarEndpoint& e, int64_t since_unix,
                                                  const std::string& bearer_token) {
  const std::string where = e.ip + ":" + std::to_string(e.admin_port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(e.ip, ec);
  if (ec) return Error{"pod IP \"" + e.ip + "\" is not an IP address"};
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::empty_body> req{http::verb::get,
                                      "/v1/snapshot?since=" + std::to_string(since_unix), 11};
  req.set(http::field::host, where);
  req.set(http::field::user_agent, "modelmonitor-operator");
  req.set(http::field::authorization, "Bearer " + bearer_token);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes_);
  std::string failed_at;
  boost::system::error_code result;

  stream.expires_after(timeout_);
  stream.async_connect(
      asio::ip::tcp::endpoint(address, e.admin_port), [&](boost::system::error_code c) {
        if (c) {
          failed_at = "connect";
          result = c;
          return;
        }
        http::async_write(stream, req, [&](boost::system::error_code w, size_t) {
          if (w) {
            failed_at = "send";
            result = w;
            return;
          }
          http::async_read(stream, buffer, parser, [&](boost::system::error_code r, size_t) {
            if (r) {
              failed_at = "read";
              result = r;
            }
          });
        });
      });
  io.run();
  stream.socket().close(ec);
  if (result) {
    const std::string why = result == beast::error::timeout
                                ? "no answer within " + std::to_string(timeout_.count()) + " ms"
                                : result.message();
    return Error{"GET http://" + where + "/v1/snapshot: " + failed_at + ": " + why};
  }
  const auto& res = parser.get();
  if (res.result_int() != 200) {
    std::string body = res.body().substr(0, 300);
    return Error{"GET http://" + where + "/v1/snapshot: HTTP " + std::to_string(res.result_int()) +
                 ": " + body};
  }
  auto j = nlohmann::json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{"GET http://" + where + "/v1/snapshot: the body is not JSON"};
  return j;
}

}  // namespace mm::op
