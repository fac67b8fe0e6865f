// The control-traffic HTTP server, over real sockets on 127.0.0.1.
#include "common/http/server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/support/self_signed_cert.h"

namespace mm::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// A blocking client that keeps one connection open so tests can see keep-alive.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void SendRaw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  bhttp::response<bhttp::string_body> Read() {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket_, buffer_, res);
    return res;
  }
  bhttp::response<bhttp::string_body> Send(bhttp::verb verb, const std::string& target,
                                           const std::string& body = "") {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket_, req);
    return Read();
  }
  // True when the server closed the connection (reading yields EOF).
  bool ClosedByServer() {
    beast::error_code ec;
    char byte;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

ServerOptions LocalOptions() {
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  return o;
}

TEST(HttpServerTest, RoutesExactAndPrefixPathsAndDecodesQuery) {
  Server server(LocalOptions());
  server.Handle("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok\n"); });
  server.HandlePrefix("POST", "/v1/items/", [](const Request& r) {
    return Response::Json(201, {{"path", r.path},
                                {"name", r.QueryParam("name")},
                                {"missing", r.QueryParam("missing")},
                                {"body", r.body},
                                {"type", std::string(r.Header("content-type"))},
                                {"remote", r.remote_address}});
  });
  ASSERT_TRUE(server.Start().ok());
  ASSERT_NE(server.port(), 0);

  Client client(server.port());
  auto health = client.Send(bhttp::verb::get, "/healthz");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_EQ(health.body(), "ok\n");

  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/v1/items/7?name=a%20b+c&x=1", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::content_type, "Application/JSON");
  req.body() = R"({"a":1})";
  req.prepare_payload();
  Client second(server.port());
  second.SendRaw([&] {
    std::ostringstream out;
    out << req;
    return out.str();
  }());
  auto created = second.Read();
  EXPECT_EQ(created.result_int(), 201);
  EXPECT_EQ(created[bhttp::field::content_type], "application/json");
  const auto json = nlohmann::json::parse(created.body());
  EXPECT_EQ(json["path"], "/v1/items/7");
  EXPECT_EQ(json["name"], "a b c");
  EXPECT_EQ(json["missing"], "");
  EXPECT_EQ(json["body"], R"({"a":1})");
  EXPECT_EQ(json["type"], "Application/JSON");
  EXPECT_EQ(json["remote"], "127.0.0.1");
}

TEST(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Server server(LocalOptions());
  server.Handle("GET", "/metrics", [](const Request&) { return Response::Text(200, ""); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto missing = client.Send(bhttp::verb::get, "/nope");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_NE(missing.body().find("/nope"), std::string::npos);
  auto wrong = client.Send(bhttp::verb::post, "/metrics", "x");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[bhttp::field::allow], "GET");
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Server server(LocalOptions());
  int calls = 0;
  server.Handle("GET", "/n",
                [&calls](const Request&) { return Response::Text(200, std::to_string(++calls)); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 1; i <= 5; ++i) {
    auto res = client.Send(bhttp::verb::get, "/n");
    EXPECT_EQ(res.body(), std::to_string(i));
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  Server server(LocalOptions());
  server.Handle("GET", "/", [](const Request&) { return Response::Text(200, "x"); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.SendRaw("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(client.ClosedByServer());
}

TEST(HttpServerTest, OversizedBodyIs413AndNeverReachesTheHandler) {
  ServerOptions o = LocalOptions();
  o.max_body_bytes = 100;
  Server server(o);
  bool called = false;
  server.Handle("POST", "/in", [&called](const Request&) {
    called = true;
    return Response::Text(200, "");
  });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto res = client.Send(bhttp::verb::post, "/in", std::string(101, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("limit of 100 bytes"), std::string::npos) << res.body();
  EXPECT_FALSE(called);

  // Chunked bodies are held to the same limit.
  Client chunked(server.port());
  chunked.SendRaw(
      "POST /in HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "64\r\n" +
      std::string(100, 'a') + "\r\n10\r\n" + std::string(16, 'b') + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.Read().result_int(), 413);
  EXPECT_FALSE(called);

  Client exact(server.port());
  EXPECT_EQ(exact.Send(bhttp::verb::post, "/in", std::string(100, 'x')).result_int(), 200);
  EXPECT_TRUE(called);
}

TEST(HttpServerTest, OversizedHeadersAre431) {
  ServerOptions o = LocalOptions();
  o.max_header_bytes = 1024;
  Server server(o);
  server.Handle("GET", "/", [](const Request&) { return Response::Text(200, ""); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.SendRaw("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'y') + "\r\n\r\n");
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_NE(res.body().find("1024 bytes"), std::string::npos) << res.body();
  EXPECT_TRUE(client.ClosedByServer());
}

TEST(HttpServerTest, IncompleteRequestTimesOutWith408) {
  ServerOptions o = LocalOptions();
  o.read_timeout = std::chrono::milliseconds(200);
  Server server(o);
  server.Handle("POST", "/", [](const Request&) { return Response::Text(200, ""); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.SendRaw("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 408);
  EXPECT_NE(res.body().find("200ms"), std::string::npos) << res.body();

  // An idle keep-alive connection is closed without an answer.
  Client idle(server.port());
  EXPECT_TRUE(idle.ClosedByServer());
}

TEST(HttpServerTest, MalformedRequestIs400) {
  Server server(LocalOptions());
  server.Handle("GET", "/", [](const Request&) { return Response::Text(200, ""); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.SendRaw("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: zebra\r\n\r\n");
  auto res = client.Read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("malformed"), std::string::npos) << res.body();
}

TEST(HttpServerTest, HandlerExceptionBecomes500AndServerKeepsServing) {
  Server server(LocalOptions());
  server.Handle("GET", "/boom",
                [](const Request&) -> Response { throw std::runtime_error("kaput"); });
  server.Handle("GET", "/ok", [](const Request&) { return Response::Text(200, "fine"); });
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto res = client.Send(bhttp::verb::get, "/boom");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("kaput"), std::string::npos);
  EXPECT_EQ(client.Send(bhttp::verb::get, "/ok").body(), "fine");
}

TEST(HttpServerTest, StartFailsClearlyWhenPortIsTaken) {
  Server first(LocalOptions());
  ASSERT_TRUE(first.Start().ok());
  ServerOptions o = LocalOptions();
  o.port = first.port();
  Server second(o);
  auto status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(std::to_string(first.port())), std::string::npos);

  ServerOptions bad = LocalOptions();
  bad.address = "localhost:80";
  EXPECT_FALSE(Server(bad).Start().ok());
}

TEST(HttpServerTest, StopJoinsThreadsAndClosesThePort) {
  ServerOptions o = LocalOptions();
  o.threads = 3;
  Server server(o);
  server.Handle("GET", "/", [](const Request&) { return Response::Text(200, "x"); });
  ASSERT_TRUE(server.Start().ok());
  const uint16_t port = server.port();
  Client open_connection(port);  // a live session must not keep Stop() waiting
  EXPECT_EQ(open_connection.Send(bhttp::verb::get, "/").result_int(), 200);
  server.Stop();
  asio::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "port " << port << " still accepts after Stop()";
  server.Stop();  // idempotent
}

std::shared_ptr<asio::ssl::context> ServerTls(const testing::SelfSignedCert& cert) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->use_certificate_chain(asio::buffer(cert.cert_pem));
  ctx->use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
  return ctx;
}

TEST(HttpServerTest, ServesTlsAndRefusesTls11AndPlainText) {
  const auto cert = testing::MakeSelfSignedCert("127.0.0.1");
  ServerOptions o = LocalOptions();
  o.tls = ServerTls(cert);
  Server server(o);
  server.Handle("GET", "/healthz", [](const Request&) { return Response::Text(200, "tls ok"); });
  ASSERT_TRUE(server.Start().ok());

  asio::io_context io;
  asio::ssl::context client_ctx(asio::ssl::context::tls_client);
  client_ctx.add_certificate_authority(asio::buffer(cert.cert_pem));
  client_ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> stream(io, client_ctx);
  stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  stream.handshake(asio::ssl::stream_base::client);
  EXPECT_GE(SSL_version(stream.native_handle()), TLS1_2_VERSION);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/healthz", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "tls ok");

  // A client that offers only TLS 1.1 is refused at the handshake.
  asio::ssl::context old_ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_security_level(old_ctx.native_handle(), 0);
  SSL_CTX_set_min_proto_version(old_ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(old_ctx.native_handle(), TLS1_1_VERSION);
  old_ctx.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<tcp::socket> old(io, old_ctx);
  old.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  beast::error_code ec;
  old.handshake(asio::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec);

  // Plain HTTP to the TLS port gets no HTTP answer.
  Client plain(server.port());
  plain.SendRaw("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(plain.ClosedByServer());
}

TEST(HttpServerTest, SetTlsContextRotatesTheCertificateForNewConnections) {
  const auto first = testing::MakeSelfSignedCert("127.0.0.1");
  const auto second = testing::MakeSelfSignedCert("127.0.0.1");
  ServerOptions o = LocalOptions();
  o.tls = ServerTls(first);
  Server server(o);
  server.Handle("GET", "/", [](const Request&) { return Response::Text(200, "x"); });
  ASSERT_TRUE(server.Start().ok());
  server.SetTlsContext(ServerTls(second));

  asio::io_context io;
  auto handshake_trusting = [&](const std::string& ca) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.add_certificate_authority(asio::buffer(ca));
    ctx.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(io, ctx);
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    beast::error_code ec;
    stream.handshake(asio::ssl::stream_base::client, ec);
    return !ec;
  };
  EXPECT_TRUE(handshake_trusting(second.cert_pem));
  EXPECT_FALSE(handshake_trusting(first.cert_pem));
}

}  // namespace
}  // namespace mm::http
