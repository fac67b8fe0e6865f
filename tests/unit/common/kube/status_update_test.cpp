#include "common/kube/status_update.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::kube {
namespace {

using nlohmann::json;

json Object(const std::string& rv, json status = json::object()) {
  return {{"metadata", {{"name", "m"}, {"namespace", "n"}, {"resourceVersion", rv}}},
          {"status", status}};
}

const ResourcePath kPath{"modelmonitor.io/v1alpha1", "modelmonitors", "n", "m"};
const std::string kStatus = "/apis/modelmonitor.io/v1alpha1/namespaces/n/modelmonitors/m/status";
const std::string kObject = "/apis/modelmonitor.io/v1alpha1/namespaces/n/modelmonitors/m";

TEST(UpdateStatusTest, ConflictIsReReadAndRetriedOnTheFreshObject) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kObject, 200, Object("1", {{"other", "kept"}}));
  fake.Queue("PUT", kStatus, 409, {{"message", "the object has been modified"}});
  fake.Queue("GET", kObject, 200, Object("2", {{"other", "newer"}}));
  fake.Queue("PUT", kStatus, 200, Object("3", {{"other", "newer"}, {"mine", 1}}));
  auto r = UpdateStatus(fake, kPath, [](const json& current) -> std::optional<json> {
    json s = current["status"];
    s["mine"] = 1;
    return s;
  });
  EXPECT_TRUE(r.written);
  EXPECT_EQ(r.conflicts, 1);
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 4u);
  // The retry carries the re-read resourceVersion and keeps the other writer's field.
  EXPECT_EQ(calls[3].body["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(calls[3].body["status"]["other"], "newer");
  EXPECT_EQ(calls[3].body["status"]["mine"], 1);
}

TEST(UpdateStatusTest, NothingToWriteMeansNoPut) {
  testing::FakeKubeClient fake;
  const json current = Object("5");
  auto r = UpdateStatus(
      fake, kPath, [](const json&) -> std::optional<json> { return std::nullopt; }, &current);
  EXPECT_FALSE(r.written);
  EXPECT_TRUE(r.response.ok());
  EXPECT_TRUE(fake.calls().empty());
}

TEST(UpdateStatusTest, GivesUpAfterMaxAttemptsOfConflicts) {
  testing::FakeKubeClient fake;
  for (int i = 0; i < 3; ++i) {
    fake.Queue("GET", kObject, 200, Object(std::to_string(i)));
    fake.Queue("PUT", kStatus, 409, {{"message", "conflict"}});
  }
  auto r = UpdateStatus(
      fake, kPath,
      [](const json&) -> std::optional<json> {
        return json{{"x", 1}};
      },
      nullptr, 3);
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.response.status, 409);
  EXPECT_EQ(r.conflicts, 3);
}

TEST(UpdateStatusTest, OtherErrorsAreNotRetried) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kObject, 200, Object("1"));
  fake.Queue("PUT", kStatus, 422, {{"message", "invalid"}});
  auto r = UpdateStatus(fake, kPath, [](const json&) -> std::optional<json> { return json{}; });
  EXPECT_EQ(r.response.status, 422);
  EXPECT_EQ(fake.calls().size(), 2u);
}

}  // namespace
}  // namespace mm::kube
