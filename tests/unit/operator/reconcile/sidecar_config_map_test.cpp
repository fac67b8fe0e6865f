#include "operator/reconcile/sidecar_config_map.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;

const std::string kConfigMaps = "/api/v1/namespaces/ns/configmaps";
const std::string kConfigMap = kConfigMaps + "/fraud-modelmonitor-config";
const std::string kV1 = R"({"monitor":{"generation":1},"serving":{"requestIdHeader":"x-a"}})";
const std::string kV2 = R"({"monitor":{"generation":2},"serving":{"requestIdHeader":"x-b"}})";

api::ObjectMeta Fraud(const std::string& uid = "uid-1") {
  api::ObjectMeta m;
  m.namespace_name = "ns";
  m.name = "fraud";
  m.uid = uid;
  m.generation = 1;
  return m;
}

// The ConfigMap as the API server returns it.
json Stored(const std::string& text, const std::string& uid = "uid-1") {
  json cm = BuildSidecarConfigMap(Fraud(uid), text);
  cm["metadata"]["resourceVersion"] = "41";
  return cm;
}

TEST(SidecarConfigMap, IsOwnedByTheMonitorAndHoldsTheTextUnderOneKey) {
  const json cm = BuildSidecarConfigMap(Fraud(), kV1);
  EXPECT_EQ(cm["kind"], "ConfigMap");
  EXPECT_EQ(cm["metadata"]["name"], "fraud-modelmonitor-config");
  EXPECT_EQ(cm["metadata"]["namespace"], "ns");
  EXPECT_EQ(cm["metadata"]["labels"]["modelmonitor.io/monitor"], "fraud");
  const json& owner = cm["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "ModelMonitor");
  EXPECT_EQ(owner["apiVersion"], "modelmonitor.io/v1alpha1");
  EXPECT_EQ(owner["uid"], "uid-1");
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(cm["data"], json({{"monitor.json", kV1}})) << "the text itself, not re-serialised";
}

TEST(SidecarConfigMap, CreatedWhenMissing) {
  testing::FakeKubeClient fake;
  fake.Queue("POST", kConfigMaps, 201);
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), ConfigMapWrite::kCreated);
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);  // GET (404), POST
  EXPECT_EQ(calls[1].body["data"]["monitor.json"], kV1);
}

TEST(SidecarConfigMap, NothingIsWrittenWhenItHoldsTheText) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), ConfigMapWrite::kUnchanged);
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST(SidecarConfigMap, AChangedSpecIsPatchedInWithTheResourceVersion) {
  testing::FakeKubeClient fake;
  json stored = Stored(kV1);
  stored["data"]["notes"] = "kept";
  fake.Queue("GET", kConfigMap, 200, stored);
  fake.Queue("PATCH", kConfigMap, 200);
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), ConfigMapWrite::kUpdated);
  const auto patch = fake.calls().back();
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.body["metadata"]["resourceVersion"], "41") << "optimistic concurrency";
  EXPECT_EQ(patch.body["data"], json({{"monitor.json", kV2}})) << "other keys are left alone";
}

TEST(SidecarConfigMap, OneLeftByADeletedMonitorOfTheSameNameIsAdopted) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kConfigMap, 200, Stored(kV1, "uid-old"));
  fake.Queue("PATCH", kConfigMap, 200);
  auto r = EnsureSidecarConfigMap(fake, Fraud("uid-new"), kV1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), ConfigMapWrite::kUpdated);
  const json owners = fake.calls().back().body["metadata"]["ownerReferences"];
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0]["uid"], "uid-new");
}

TEST(SidecarConfigMap, AConflictReadsAgainAndWritesOnTheNewVersion) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  fake.Queue("PATCH", kConfigMap, 409, {{"message", "the object has been modified"}});
  json newer = Stored(kV1);
  newer["metadata"]["resourceVersion"] = "42";
  fake.Queue("GET", kConfigMap, 200, newer);
  fake.Queue("PATCH", kConfigMap, 200);
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(fake.calls().back().body["metadata"]["resourceVersion"], "42");
}

TEST(SidecarConfigMap, ACreateRaceReadsTheWinnersConfigMap) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kConfigMap, 404);
  fake.Queue("POST", kConfigMaps, 409, {{"message", "already exists"}});
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), ConfigMapWrite::kUnchanged);
  EXPECT_EQ(fake.calls().size(), 3u);
}

TEST(SidecarConfigMap, ErrorsNameTheConfigMapAndTheApisAnswer) {
  testing::FakeKubeClient fake;
  fake.Queue("POST", kConfigMaps, 403, {{"message", "configmaps is forbidden"}});
  auto r = EnsureSidecarConfigMap(fake, Fraud(), kV1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ConfigMap ns/fraud-modelmonitor-config"), std::string::npos);
  EXPECT_NE(r.error().message.find("configmaps is forbidden"), std::string::npos)
      << r.error().message;
}

TEST(SidecarConfigMap, TheKeeperCallsTheApiOnlyWhenTheTextChangesOrTheRecheckIsDue) {
  testing::FakeKubeClient fake;
  SidecarConfigMapKeeper keeper(std::chrono::minutes(5));
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  ASSERT_TRUE(keeper.Ensure(fake, Fraud(), kV1).ok());
  ASSERT_TRUE(keeper.Ensure(fake, Fraud(), kV1).ok());  // same text: no call
  EXPECT_EQ(fake.calls().size(), 1u);
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  fake.Queue("PATCH", kConfigMap, 200);
  auto r = keeper.Ensure(fake, Fraud(), kV2);  // a new generation: read and write
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), ConfigMapWrite::kUpdated);
  EXPECT_EQ(fake.calls().size(), 3u);

  SidecarConfigMapKeeper eager(std::chrono::seconds(0));
  fake.Queue("GET", kConfigMap, 200, Stored(kV2));
  fake.Queue("GET", kConfigMap, 200, Stored(kV2));
  ASSERT_TRUE(eager.Ensure(fake, Fraud(), kV2).ok());
  ASSERT_TRUE(eager.Ensure(fake, Fraud(), kV2).ok());
  EXPECT_EQ(fake.calls().size(), 5u) << "a ConfigMap edited by hand is put back at the recheck";
}

TEST(SidecarConfigMap, TheKeeperTriesAgainAfterAFailure) {
  testing::FakeKubeClient fake;
  SidecarConfigMapKeeper keeper(std::chrono::minutes(5));
  fake.Queue("GET", kConfigMap, 500, {{"message", "etcd timeout"}});
  EXPECT_FALSE(keeper.Ensure(fake, Fraud(), kV1).ok());
  fake.Queue("GET", kConfigMap, 200, Stored(kV1));
  EXPECT_TRUE(keeper.Ensure(fake, Fraud(), kV1).ok());
  EXPECT_EQ(fake.calls().size(), 2u);
}

}  // namespace
}  // namespace mm::op
