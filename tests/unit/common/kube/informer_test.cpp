#include "common/kube/informer.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"
#include "tests/support/wait.h"

namespace mm::kube {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json Pod(const std::string& name, const std::string& rv, const std::string& app = "m") {
  return {{"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "ns"},
            {"resourceVersion", rv},
            {"labels", {{"app", app}}},
            {"managedFields", json::array()}}}};
}

json List(std::vector<json> items, const std::string& rv) {
  return {{"items", items}, {"metadata", {{"resourceVersion", rv}}}};
}

struct Recorder {
  std::mutex mu;
  std::vector<std::string> seen;
  void operator()(const InformerEvent& e) {
    static const char* kinds[] = {"add", "update", "delete"};
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(std::string(kinds[static_cast<int>(e.kind)]) + " " +
                   (*e.object)["metadata"]["name"].get<std::string>());
  }
  std::vector<std::string> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

TEST(InformerTest, ListsWatchesFromTheListVersionAndRelistsOn410) {
  testing::FakeKubeClient fake;
  const std::string list_path = "/api/v1/pods?limit=500";
  fake.Queue("GET", list_path, 200, List({Pod("a", "5"), Pod("b", "6")}, "10"));
  fake.Queue("WATCH", "/api/v1/pods", 0, {{"type", "MODIFIED"}, {"object", Pod("a", "11")}});
  fake.Queue("WATCH", "/api/v1/pods", 0, {{"type", "DELETED"}, {"object", Pod("b", "12")}});
  fake.Queue("WATCH", "/api/v1/pods", 0,
             {{"type", "BOOKMARK"}, {"object", {{"metadata", {{"resourceVersion", "13"}}}}}});
  fake.Queue(
      "WATCH", "/api/v1/pods", 0,
      {{"type", "ERROR"}, {"object", {{"kind", "Status"}, {"code", 410}, {"message", "too old"}}}});
  fake.Queue("GET", list_path, 200, List({Pod("a", "11"), Pod("c", "19")}, "20"));

  std::atomic<int> relists{0};
  InformerOptions opts;
  opts.collection = {"v1", "pods"};
  opts.on_relist = [&] { ++relists; };
  Informer informer(fake, "pods", opts);
  Recorder recorder;
  informer.AddHandler([&](const InformerEvent& e) { recorder(e); });
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(testing::WaitFor([&] { return informer.lists() == 2 && informer.Get("ns/c"); }, 5s));
  ASSERT_TRUE(testing::WaitFor([&] { return informer.last_resource_version() == "20"; }, 5s));
  informer.Stop();

  EXPECT_EQ(relists, 1);
  EXPECT_EQ(recorder.Get(),
            (std::vector<std::string>{"add a", "add b", "update a", "delete b", "add c"}));
  EXPECT_EQ(informer.Size(), 2u);
  EXPECT_FALSE((*informer.Get("ns/a"))["metadata"].contains("managedFields"));
  // The first watch continued from the list's resourceVersion, with bookmarks.
  std::vector<std::string> watches;
  for (const auto& c : fake.calls()) {
    if (c.method == "WATCH") watches.push_back(c.path);
  }
  ASSERT_GE(watches.size(), 2u);
  EXPECT_NE(watches[0].find("resourceVersion=10"), std::string::npos) << watches[0];
  EXPECT_NE(watches[0].find("allowWatchBookmarks=true"), std::string::npos) << watches[0];
  EXPECT_NE(watches[1].find("resourceVersion=20"), std::string::npos) << watches[1];
}

TEST(InformerTest, FilterKeepsOnlyWantedObjectsAndDropsThoseThatStopMatching) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/namespaces/ns/pods?limit=500", 200,
             List({Pod("a", "1", "m"), Pod("x", "2", "other")}, "3"));
  fake.Queue("WATCH", "/api/v1/namespaces/ns/pods", 0,
             {{"type", "MODIFIED"}, {"object", Pod("a", "4", "other")}});
  InformerOptions opts;
  opts.collection = {"v1", "pods", "ns"};
  opts.keep = [](const json& p) { return p["metadata"]["labels"].value("app", "") == "m"; };
  Informer informer(fake, "pods", opts);
  Recorder recorder;
  informer.AddHandler([&](const InformerEvent& e) { recorder(e); });
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(testing::WaitFor([&] { return informer.last_resource_version() == "4"; }, 5s));
  informer.Stop();
  EXPECT_EQ(informer.Size(), 0u);
  EXPECT_EQ(recorder.Get(), (std::vector<std::string>{"add a", "delete a"}));
}

TEST(InformerTest, ListFailuresAreRetriedWithBackoff) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/pods?limit=500", 503, {{"message", "etcd unavailable"}});
  fake.Queue("GET", "/api/v1/pods?limit=500", 200, List({Pod("a", "1")}, "2"));
  InformerOptions opts;
  opts.collection = {"v1", "pods"};
  opts.backoff = Backoff{1ms, 10ms, 2.0, 0.0};
  Informer informer(fake, "pods", opts);
  informer.Start();
  EXPECT_TRUE(informer.WaitForSync(5s));
  informer.Stop();
  EXPECT_EQ(informer.lists(), 2);
  EXPECT_TRUE(informer.Get("ns/a"));
}

TEST(InformerTest, ResyncRelistsAndIsPendingUntilTheListIsIn) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/pods?limit=500", 200, List({}, "1"));
  fake.Queue("GET", "/api/v1/pods?limit=500", 200, List({Pod("late", "2")}, "2"));
  InformerOptions opts;
  opts.collection = {"v1", "pods"};
  opts.min_resync_interval = 10ms;
  Informer informer(fake, "pods", opts);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  EXPECT_FALSE(informer.ResyncPending());
  informer.Resync();  // ends the open watch and lists again
  EXPECT_TRUE(informer.ResyncPending() || informer.Get("ns/late"));
  EXPECT_TRUE(testing::WaitFor([&] { return !informer.ResyncPending(); }, 5s));
  EXPECT_TRUE(informer.Get("ns/late")) << "pending clears only once the new list is cached";
  informer.Stop();
  EXPECT_EQ(informer.lists(), 2);
}

}  // namespace
}  // namespace mm::kube
