#include "common/http/client.h"

#include <gtest/gtest.h>

#include "common/http/server.h"

namespace mm::http {
namespace {

using namespace std::chrono_literals;

TEST(HttpClient, SendsTheRequestAndReadsTheAnswer) {
  Server server(ServerOptions{});
  server.Handle("POST", "/v1/labels", [](const Request& r) {
    return Response::Json(201, {{"auth", std::string(r.Header("authorization"))},
                                {"type", std::string(r.Header("content-type"))},
                                {"body", r.body}});
  });
  ASSERT_TRUE(server.Start().ok());
  ClientRequest req;
  req.method = "POST";
  req.host = "127.0.0.1";
  req.port = server.port();
  req.target = "/v1/labels";
  req.headers = {{"Authorization", "Bearer t"}};
  req.content_type = "application/x-ndjson";
  req.body = "{\"id\":\"a\"}\n";
  auto r = Send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["auth"], "Bearer t");
  EXPECT_EQ(j["type"], "application/x-ndjson");
  EXPECT_EQ(j["body"], req.body);
}

TEST(HttpClient, ErrorsNameTheStep) {
  Server server(ServerOptions{});
  ASSERT_TRUE(server.Start().ok());
  const uint16_t port = server.port();
  server.Stop();
  ClientRequest req;
  req.host = "127.0.0.1";
  req.port = port;
  auto refused = Send(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("connect 127.0.0.1:"), std::string::npos)
      << refused.error().message;
  req.host = "not-an-ip";
  EXPECT_FALSE(Send(req).ok());
}

}  // namespace
}  // namespace mm::http
