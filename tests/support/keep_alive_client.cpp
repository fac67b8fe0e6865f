#include "tests/support/keep_alive_client.h"

#include <boost/asio/write.hpp>

namespace mm::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

KeepAliveClient::KeepAliveClient(const std::string& ip, uint16_t port) : socket_(io_) {
  socket_.connect({asio::ip::make_address(ip), port});
}

KeepAliveClient::Response KeepAliveClient::Get(const std::string& target) {
  return Send({bhttp::verb::get, target, 11});
}

KeepAliveClient::Response KeepAliveClient::Post(const std::string& target) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
  req.set(bhttp::field::content_type, "application/json");
  req.body() = "{}";
  return Send(std::move(req));
}

KeepAliveClient::Response KeepAliveClient::Send(bhttp::request<bhttp::string_body> req) {
  req.set(bhttp::field::host, "model");
  req.prepare_payload();
  Response res;
  boost::system::error_code ec;
  bhttp::write(socket_, req, ec);
  if (!ec) bhttp::read(socket_, buffer_, res, ec);
  if (ec) res.result(0);
  return res;
}

std::string KeepAliveClient::ReadUntil(const std::string& needle) {
  std::string got;
  char chunk[4096];
  while (got.find(needle) == std::string::npos) {
    boost::system::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    got.append(chunk, n);
  }
  return got;
}

void KeepAliveClient::SendRaw(const std::string& bytes) {
  asio::write(socket_, asio::buffer(bytes));
}

bool KeepAliveClient::Open() {
  socket_.non_blocking(true);
  char byte = 0;
  boost::system::error_code ec;
  socket_.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
  socket_.non_blocking(false);
  return ec == asio::error::would_block;
}

}  // namespace mm::testing
