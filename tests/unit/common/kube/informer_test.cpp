#include "common/kube/informer.h"

#include <gtest/gtest.h>

#include <algorithm>

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

// The names ForEachSelected visits, and those a scan of every object with the
// selector's Matches finds: the index must change which objects are looked at,
// never which are selected.
std::pair<std::vector<std::string>, std::vector<std::string>> SelectedAndScanned(
    const Informer& informer, const std::string& ns, const json& selector_json) {
  auto selector = kube::LabelSelector::FromJson(selector_json);
  EXPECT_TRUE(selector) << selector_json.dump();
  std::vector<std::string> selected, scanned;
  informer.ForEachSelected(ns, *selector, [&](const json& o) {
    selected.push_back(o["metadata"]["name"].get<std::string>());
  });
  informer.ForEach(ns, [&](const json& o) {
    if (selector->Matches(o["metadata"].value("labels", json::object()))) {
      scanned.push_back(o["metadata"]["name"].get<std::string>());
    }
  });
  std::sort(selected.begin(), selected.end());
  std::sort(scanned.begin(), scanned.end());
  return {selected, scanned};
}

TEST(InformerTest, LabelIndexSelectsWhatAScanSelectsThroughUpdatesDeletesAndRelists) {
  auto pod = [](const std::string& name, const std::string& ns, const std::string& rv,
                const json& labels) {
    return json{{"kind", "Pod"},
                {"metadata",
                 {{"name", name}, {"namespace", ns}, {"resourceVersion", rv}, {"labels", labels}}}};
  };
  testing::FakeKubeClient fake;
  fake.Queue("GET", "/api/v1/pods?limit=500", 200,
             List({pod("a1", "ns", "1", {{"app", "a"}}),
                   pod("a2", "ns", "2", {{"app", "a"}, {"tier", "x"}}),
                   pod("b1", "ns", "3", {{"app", "b"}}), pod("c1", "ns", "4", {{"app", "c"}}),
                   pod("n1", "ns", "5", {{"app", 7}}), pod("o1", "other", "6", {{"app", "a"}})},
                  "10"));
  // a1 moves from app=a to app=b, b1 goes, a3 comes.
  fake.Queue("WATCH", "/api/v1/pods", 0,
             {{"type", "MODIFIED"}, {"object", pod("a1", "ns", "11", {{"app", "b"}})}});
  fake.Queue("WATCH", "/api/v1/pods", 0,
             {{"type", "DELETED"}, {"object", pod("b1", "ns", "12", {{"app", "b"}})}});
  fake.Queue("WATCH", "/api/v1/pods", 0,
             {{"type", "ADDED"}, {"object", pod("a3", "ns", "13", {{"app", "a"}})}});
  InformerOptions opts;
  opts.collection = {"v1", "pods"};
  opts.index_labels = true;
  Informer informer(fake, "pods", opts);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));

  const std::vector<json> selectors = {
      {{"matchLabels", {{"app", "a"}}}},
      {{"matchLabels", {{"app", "b"}}}},
      {{"matchLabels", {{"app", "a"}, {"tier", "x"}}}},
      {{"matchExpressions", {{{"key", "app"}, {"operator", "In"}, {"values", {"a", "c"}}}}}},
      {{"matchExpressions", {{{"key", "app"}, {"operator", "NotIn"}, {"values", {"a"}}}}}},
      {{"matchExpressions", {{{"key", "tier"}, {"operator", "Exists"}}}}},
      {{"matchLabels", {{"app", "none"}}}}};
  auto check = [&](const std::string& when, std::vector<std::string> want_app_a) {
    for (const auto& sel : selectors) {
      auto [selected, scanned] = SelectedAndScanned(informer, "ns", sel);
      EXPECT_EQ(selected, scanned) << when << ": " << sel.dump();
    }
    EXPECT_EQ(SelectedAndScanned(informer, "ns", selectors[0]).first, want_app_a) << when;
    EXPECT_EQ(SelectedAndScanned(informer, "other", selectors[0]).first,
              std::vector<std::string>{"o1"})
        << when << ": another namespace's pods stay out";
  };
  // The watch's events are in once the version is 13; the next watch waits.
  ASSERT_TRUE(testing::WaitFor([&] { return informer.last_resource_version() == "13"; }, 5s));
  check("after the watch's events", {"a2", "a3"});
  // A re-list: c1 changed its app, a2 is gone.
  fake.Queue("GET", "/api/v1/pods?limit=500", 200,
             List({pod("a1", "ns", "11", {{"app", "b"}}), pod("a3", "ns", "13", {{"app", "a"}}),
                   pod("c1", "ns", "20", {{"app", "a"}}), pod("o1", "other", "6", {{"app", "a"}})},
                  "21"));
  informer.Resync();
  ASSERT_TRUE(testing::WaitFor([&] { return informer.lists() == 2; }, 5s));
  ASSERT_TRUE(testing::WaitFor([&] { return informer.last_resource_version() == "21"; }, 5s));
  informer.Stop();
  check("after the re-list", {"a3", "c1"});
}

}  // namespace
}  // namespace mm::kube
