#include "common/http/client.h"

// <utility> first: Boost 1.74's headers use std::exchange without including it.
#include <utility>
//
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mm::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

Result<ClientResponse> Send(const ClientRequest& r) {
  const std::string peer = r.host + ":" + std::to_string(r.port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(r.host, ec);
  if (ec) return Error{"\"" + r.host + "\" is not an IP address"};
  const auto verb = bhttp::string_to_verb(r.method);
  if (verb == bhttp::verb::unknown) return Error{"unknown HTTP method \"" + r.method + "\""};

  asio::io_context io;
  beast::tcp_stream stream(io);
  const auto timed_out = [&] {
    return Error{r.method + " http://" + peer + r.target + ": timed out after " +
                 std::to_string(r.timeout.count()) + " ms"};
  };
  stream.expires_after(r.timeout);
  stream.connect(asio::ip::tcp::endpoint(address, r.port), ec);
  if (ec == beast::error::timeout) return timed_out();
  if (ec) return Error{"connect " + peer + ": " + ec.message()};

  bhttp::request<bhttp::string_body> req{verb, r.target, 11};
  req.set(bhttp::field::host, peer);
  req.set(bhttp::field::connection, "close");
  if (!r.content_type.empty()) req.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) req.set(name, value);
  req.body() = r.body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec == beast::error::timeout) return timed_out();
  // A server may answer (413, 401) and close before reading the whole body: still read.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(r.max_response_bytes);
  bhttp::read(stream, buffer, parser, ec);
  if (ec == beast::error::timeout) return timed_out();
  if (ec) return Error{r.method + " http://" + peer + r.target + ": " + ec.message()};
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  ClientResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.content_type = std::string(parser.get()[bhttp::field::content_type]);
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace mm::http
