#include "common/tls/server_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <thread>

#include "common/tls/certificate.h"

namespace mm::tls {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct Pki {
  KeyPair ca, serving;
};

Pki MakePki() {
  auto ca = CreateCertificateAuthority("ca", 24h, Clock::now());
  ServingCertificateRequest req;
  req.common_name = "127.0.0.1";
  req.ip_addresses = {"127.0.0.1"};
  auto s = CreateServingCertificate(ca.value(), req, Clock::now());
  return {ca.value(), s.value()};
}

// Runs one TLS handshake between a server with `server_ctx` and a client with
// `client_ctx` (optionally capped at `client_max_version`); returns the
// client's error, empty on success, and the negotiated protocol.
std::pair<std::string, std::string> Handshake(asio::ssl::context& server_ctx,
                                              asio::ssl::context& client_ctx,
                                              int client_max_version = 0) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::thread server([&] {
    asio::ssl::stream<tcp::socket> stream(acceptor.accept(), server_ctx);
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
  });
  asio::ssl::stream<tcp::socket> client(io, client_ctx);
  client.next_layer().connect(acceptor.local_endpoint());
  if (client_max_version) SSL_set_max_proto_version(client.native_handle(), client_max_version);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(client.native_handle()), "127.0.0.1");
  boost::system::error_code ec;
  client.handshake(asio::ssl::stream_base::client, ec);
  std::string version = ec ? "" : SSL_get_version(client.native_handle());
  client.next_layer().close();
  server.join();
  return {ec ? ec.message() : "", version};
}

TEST(ServerContext, HandshakesWithAClientThatTrustsTheCa) {
  const Pki pki = MakePki();
  auto server = MakeServerContext(pki.serving.cert_pem, pki.serving.key_pem);
  ASSERT_TRUE(server.ok()) << server.error().message;
  auto client = MakeClientContext(pki.ca.cert_pem);
  ASSERT_TRUE(client.ok()) << client.error().message;
  auto [error, version] = Handshake(**server, **client);
  EXPECT_EQ(error, "");
  EXPECT_EQ(version, "TLSv1.3");
  auto [error12, version12] = Handshake(**server, **client, TLS1_2_VERSION);
  EXPECT_EQ(error12, "");
  EXPECT_EQ(version12, "TLSv1.2");
}

TEST(ServerContext, RefusesTls11) {
  const Pki pki = MakePki();
  auto server = MakeServerContext(pki.serving.cert_pem, pki.serving.key_pem);
  auto client = MakeClientContext(pki.ca.cert_pem);
  ASSERT_TRUE(server.ok() && client.ok());
  // Let the client offer only TLS 1.1 (it refuses by default, like the server).
  SSL_CTX_set_min_proto_version((*client)->native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_security_level((*client)->native_handle(), 0);
  auto [error, version] = Handshake(**server, **client, TLS1_1_VERSION);
  EXPECT_NE(error, "");
  EXPECT_EQ(version, "");
}

TEST(ServerContext, ClientRejectsAServerFromAnotherCa) {
  const Pki pki = MakePki();
  const Pki other = MakePki();
  auto server = MakeServerContext(pki.serving.cert_pem, pki.serving.key_pem);
  auto client = MakeClientContext(other.ca.cert_pem);
  ASSERT_TRUE(server.ok() && client.ok());
  EXPECT_NE(Handshake(**server, **client).first, "");
}

TEST(ServerContext, ReportsMismatchedOrBrokenMaterial) {
  const Pki pki = MakePki();
  auto mismatch = MakeServerContext(pki.serving.cert_pem, pki.ca.key_pem);
  ASSERT_FALSE(mismatch.ok());
  auto garbage = MakeServerContext("nope", pki.serving.key_pem);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message.find("certificate"), std::string::npos);
}

}  // namespace
}  // namespace mm::tls
