#include "common/kube/list_pager.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::kube {
namespace {

using nlohmann::json;

json Item(const std::string& name) {
  return {{"metadata", {{"name", name}, {"managedFields", json::array({{{"manager", "x"}}})}}}};
}

TEST(ListAllTest, FollowsContinueTokensAndKeepsTheListResourceVersion) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/pods?labelSelector=app%3Dm&limit=2", 200,
             {{"items", {Item("a"), Item("b")}},
              {"metadata", {{"continue", "tok"}, {"resourceVersion", "10"}}}});
  fake.Queue("GET", "/api/v1/pods?continue=tok&labelSelector=app%3Dm&limit=2", 200,
             {{"items", {Item("c")}}, {"metadata", {{"resourceVersion", "10"}}}});
  auto r = ListAll(fake, ResourcePath{"v1", "pods", "", "", "", {{"labelSelector", "app=m"}}}, 2,
                   DropManagedFields);
  ASSERT_TRUE(r.ok()) << r.failure.Message();
  EXPECT_EQ(r.pages, 2);
  ASSERT_EQ(r.items.size(), 3u);
  EXPECT_EQ(r.items[2]["metadata"]["name"], "c");
  EXPECT_FALSE(r.items[0]["metadata"].contains("managedFields"));
  EXPECT_EQ(r.resource_version, "10");
}

TEST(ListAllTest, AnExpiredContinueTokenFailsTheWholeListWith410) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/pods?limit=1", 200,
             {{"items", {Item("a")}}, {"metadata", {{"continue", "old"}}}});
  fake.Queue("GET", "/api/v1/pods?continue=old&limit=1", 410,
             {{"message", "The provided continue parameter is too old"}});
  auto r = ListAll(fake, ResourcePath{"v1", "pods"}, 1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.failure.status, 410);
  EXPECT_TRUE(r.items.empty());
}

}  // namespace
}  // namespace mm::kube
