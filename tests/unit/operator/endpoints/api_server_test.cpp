#include "operator/endpoints/api_server.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/tls/server_context.h"
#include "tests/support/https_client.h"
#include "tests/support/self_signed_cert.h"

namespace mm::op {
namespace {

using nlohmann::json;

// Tokens "alice" (may create modelmonitors/labels in prod) and "bob" (may not).
class ScriptedAuthenticator final : public Authenticator {
 public:
  Result<std::optional<Caller>> Authenticate(const std::string& token) override {
    if (token == "down") return Error{"connection refused"};
    if (token != "alice" && token != "bob") return std::optional<Caller>();
    Caller c;
    c.username = token;
    return std::optional<Caller>(c);
  }
  Result<Decision> Authorize(const Caller& caller, const ResourceAttributes& what) override {
    std::lock_guard<std::mutex> lock(mu);
    asked.push_back(what);
    return Decision{caller.username == "alice" && what.ns == "prod", "RBAC: not bound"};
  }
  std::mutex mu;
  std::vector<ResourceAttributes> asked;
};

TEST(ApiServerPattern, MatchesSegmentsAndCapturesParameters) {
  PathParams p;
  EXPECT_TRUE(ApiServer::MatchPattern("/a/namespaces/{ns}/m/{name}/labels",
                                      "/a/namespaces/prod/m/fraud/labels", &p));
  EXPECT_EQ(p["ns"], "prod");
  EXPECT_EQ(p["name"], "fraud");
  EXPECT_FALSE(ApiServer::MatchPattern("/a/{ns}/labels", "/a/prod/labels/x", &p));
  EXPECT_FALSE(ApiServer::MatchPattern("/a/{ns}/labels", "/a//labels", &p));
  EXPECT_FALSE(ApiServer::MatchPattern("/a/{ns}/labels", "/b/prod/labels", &p));
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto cert = testing::MakeSelfSignedCert("127.0.0.1");
    ca_ = cert.cert_pem;
    ApiServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.tls = tls::MakeServerContext(cert.cert_pem, cert.key_pem).value();
    server_ = std::make_unique<ApiServer>(o, auth_);
    server_->Handle("POST", "/apis/x/namespaces/{ns}/things/{name}/labels",
                    AuthPolicy::Allowed("create", "x", "things", "labels"),
                    [](const ApiRequest& r) {
                      return http::Response::Json(
                          200, {{"user", r.caller.username}, {"name", r.params.at("name")}});
                    });
    server_->Handle("GET", "/healthz", AuthPolicy::Public(),
                    [](const ApiRequest&) { return http::Response::Text(200, "ok"); });
    ASSERT_TRUE(server_->Start().ok());
  }
  testing::HttpsResponse Call(const std::string& method, const std::string& path,
                              const std::string& auth) {
    auto r = testing::HttpsRequest(method, "127.0.0.1", server_->port(), path, "{}", ca_,
                                   "application/json", auth);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : testing::HttpsResponse{};
  }

  ScriptedAuthenticator auth_;
  std::string ca_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiServerTest, AllowedCallerReachesTheHandler) {
  auto r = Call("POST", "/apis/x/namespaces/prod/things/fraud/labels", "Bearer alice");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["user"], "alice");
  ASSERT_EQ(auth_.asked.size(), 1u);
  EXPECT_EQ(auth_.asked[0].verb, "create");
  EXPECT_EQ(auth_.asked[0].resource, "things");
  EXPECT_EQ(auth_.asked[0].subresource, "labels");
  EXPECT_EQ(auth_.asked[0].ns, "prod");
  EXPECT_EQ(auth_.asked[0].name, "fraud");
}

TEST_F(ApiServerTest, RefusalsSayWhy) {
  const std::string path = "/apis/x/namespaces/prod/things/fraud/labels";
  auto none = Call("POST", path, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("Authorization: Bearer"), std::string::npos) << none.body;
  EXPECT_EQ(Call("POST", path, "Basic abc").status, 401);
  auto unknown = Call("POST", path, "Bearer mallory");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_NE(unknown.body.find("not valid"), std::string::npos);
  auto bob = Call("POST", path, "Bearer bob");
  EXPECT_EQ(bob.status, 403);
  EXPECT_NE(bob.body.find("user \\\"bob\\\" may not create things/labels.x"), std::string::npos)
      << bob.body;
  EXPECT_NE(bob.body.find("RBAC: not bound"), std::string::npos);
  EXPECT_EQ(Call("POST", "/apis/x/namespaces/dev/things/fraud/labels", "Bearer alice").status, 403);
  EXPECT_EQ(Call("POST", path, "Bearer down").status, 503);
  EXPECT_EQ(Call("GET", path, "Bearer alice").status, 405);
  EXPECT_EQ(Call("POST", "/apis/x/other", "Bearer alice").status, 404);
}

TEST_F(ApiServerTest, PublicRoutesNeedNoToken) {
  EXPECT_EQ(Call("GET", "/healthz", "").status, 200);
  EXPECT_TRUE(auth_.asked.empty());
}

}  // namespace
}  // namespace mm::op
