#include "tests/support/https_client.h"

// <utility> first: Boost 1.74's headers use std::exchange without including it.
#include <utility>
//
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "common/tls/server_context.h"

namespace mm::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

Result<HttpsResponse> Exchange(const std::string& method, const std::string& host, uint16_t port,
                               const std::string& path, const std::string& body,
                               std::optional<size_t> declared_length, const std::string& ca_pem,
                               const std::string& content_type, const std::string& authorization) {
  auto ctx = tls::MakeClientContext(ca_pem);
  if (!ctx) return ctx.error();
  asio::io_context io;
  asio::ssl::stream<beast::tcp_stream> stream(io, **ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), host.c_str());
  beast::error_code ec;
  stream.next_layer().expires_after(std::chrono::seconds(30));
  stream.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return Error{"connect: " + ec.message()};
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Error{"TLS handshake: " + ec.message()};
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), path, 11};
  req.set(bhttp::field::host, host);
  if (!authorization.empty()) req.set(bhttp::field::authorization, authorization);
  if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
  if (declared_length) {
    req.content_length(*declared_length);
    bhttp::request_serializer<bhttp::string_body> serializer(req);
    bhttp::write_header(stream, serializer, ec);
  } else {
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req, ec);
  }
  // A server may answer (413) before the whole body is read and close: still read.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return Error{"read response: " + ec.message()};
  stream.shutdown(ec);
  return HttpsResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace

Result<HttpsResponse> HttpsPost(const std::string& host, uint16_t port, const std::string& path,
                                const std::string& body, const std::string& ca_pem,
                                const std::string& content_type, const std::string& authorization) {
  return Exchange("POST", host, port, path, body, std::nullopt, ca_pem, content_type,
                  authorization);
}

Result<HttpsResponse> HttpsRequest(const std::string& method, const std::string& host,
                                   uint16_t port, const std::string& path, const std::string& body,
                                   const std::string& ca_pem, const std::string& content_type,
                                   const std::string& authorization) {
  return Exchange(method, host, port, path, body, std::nullopt, ca_pem, content_type,
                  authorization);
}

Result<HttpsResponse> HttpsPostHeadersOnly(const std::string& host, uint16_t port,
                                           const std::string& path, size_t content_length,
                                           const std::string& ca_pem) {
  return Exchange("POST", host, port, path, "", content_length, ca_pem, "application/json", "");
}

}  // namespace mm::testing
