#include "operator/reconcile/token_secret.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;

const std::string kSecrets = "/api/v1/namespaces/ns/secrets";
const std::string kSecret = kSecrets + "/fraud-modelmonitor-tokens";

api::ObjectMeta Fraud() {
  api::ObjectMeta m;
  m.namespace_name = "ns";
  m.name = "fraud";
  m.uid = "uid-1";
  return m;
}

std::string Decoded(const json& secret, const char* key) {
  return Base64Decode(secret["data"][key].get<std::string>()).value();
}

TEST(TokenSecret, RandomTokensAre32BytesOfHexAndDiffer) {
  const std::string a = RandomToken(), b = RandomToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(TokenSecret, IsOwnedByTheMonitorAndHoldsBothTokens) {
  const json s = BuildTokenSecret(Fraud(), "L", "A");
  EXPECT_EQ(s["metadata"]["name"], "fraud-modelmonitor-tokens");
  EXPECT_EQ(s["metadata"]["namespace"], "ns");
  const json& owner = s["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "ModelMonitor");
  EXPECT_EQ(owner["uid"], "uid-1");
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(Decoded(s, "label-token"), "L");
  EXPECT_EQ(Decoded(s, "admin-token"), "A");
}

TEST(TokenSecret, CreatedWhenMissing) {
  testing::FakeKubeClient fake;
  fake.Queue("POST", kSecrets, 201);
  ASSERT_TRUE(EnsureTokenSecret(fake, Fraud()).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);  // GET (404), POST
  EXPECT_EQ(Decoded(calls[1].body, "label-token").size(), 64u);
  EXPECT_NE(Decoded(calls[1].body, "label-token"), Decoded(calls[1].body, "admin-token"));
}

TEST(TokenSecret, ExistingTokensAreKept) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kSecret, 200, BuildTokenSecret(Fraud(), "L", "A"));
  ASSERT_TRUE(EnsureTokenSecret(fake, Fraud()).ok());
  EXPECT_EQ(fake.calls().size(), 1u) << "no write when both tokens are there";
}

TEST(TokenSecret, AMissingKeyIsFilledInAndTheOtherKept) {
  testing::FakeKubeClient fake;
  json partial = BuildTokenSecret(Fraud(), "L", "A");
  partial["data"].erase("admin-token");
  partial["metadata"]["resourceVersion"] = "5";
  fake.Queue("GET", kSecret, 200, partial);
  fake.Queue("PATCH", kSecret, 200);
  ASSERT_TRUE(EnsureTokenSecret(fake, Fraud()).ok());
  const auto patch = fake.calls().back();
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_FALSE(patch.body["data"].contains("label-token"));
  EXPECT_EQ(Base64Decode(patch.body["data"]["admin-token"].get<std::string>())->size(), 64u);
  EXPECT_EQ(patch.body["metadata"]["resourceVersion"], "5");
}

TEST(TokenSecret, ACreateRaceReadsTheWinnersSecret) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kSecret, 404);
  fake.Queue("POST", kSecrets, 409, {{"message", "already exists"}});
  fake.Queue("GET", kSecret, 200, BuildTokenSecret(Fraud(), "L", "A"));
  ASSERT_TRUE(EnsureTokenSecret(fake, Fraud()).ok());
  EXPECT_EQ(fake.calls().size(), 3u);
}

TEST(TokenSecret, ErrorsNameTheSecretNeverTheToken) {
  testing::FakeKubeClient fake;
  fake.Queue("POST", kSecrets, 403, {{"message", "secrets is forbidden"}});
  auto s = EnsureTokenSecret(fake, Fraud());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("Secret ns/fraud-modelmonitor-tokens"), std::string::npos);
  const std::string sent = Decoded(fake.calls()[1].body, "label-token");
  EXPECT_EQ(s.error().message.find(sent), std::string::npos);
}

TEST(TokenSecret, TheKeeperChecksEachMonitorOncePerInterval) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kSecret, 200, BuildTokenSecret(Fraud(), "L", "A"));
  TokenSecretKeeper keeper(std::chrono::minutes(5));
  ASSERT_TRUE(keeper.Ensure(fake, Fraud()).ok());
  ASSERT_TRUE(keeper.Ensure(fake, Fraud()).ok());
  EXPECT_EQ(fake.calls().size(), 1u);
  TokenSecretKeeper eager(std::chrono::seconds(0));
  fake.Queue("GET", kSecret, 200, BuildTokenSecret(Fraud(), "L", "A"));
  fake.Queue("GET", kSecret, 200, BuildTokenSecret(Fraud(), "L", "A"));
  ASSERT_TRUE(eager.Ensure(fake, Fraud()).ok());
  ASSERT_TRUE(eager.Ensure(fake, Fraud()).ok());
  EXPECT_EQ(fake.calls().size(), 3u);
}

}  // namespace
}  // namespace mm::op
