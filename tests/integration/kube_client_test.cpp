// The Kubernetes client's paging, status updates with optimistic concurrency
// and watch stream, checked against the real kube-apiserver: bookmarks arrive
// and decode, a watch from a compacted resourceVersion ends in an ERROR event
// with code 410, and a 409 on a status write is re-read and retried.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/kube/list_pager.h"
#include "common/kube/status_update.h"
#include "common/kube/watch_event.h"
#include "tests/support/control_plane.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

class KubeClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InstallModelMonitorCrd(ControlPlaneEnvironment::Get()); }
  void SetUp() override {
    client_ = ControlPlaneEnvironment::Get().AdminClient();
    ns_ = CreateNamespace(*client_, "kc");
  }
  std::unique_ptr<kube::RestKubeClient> client_;
  std::string ns_;
};

TEST_F(KubeClientTest, ListAllPagesWithLimitAndContinue) {
  for (int i = 0; i < 7; ++i) {
    auto r = client_->Create(ResourcePath{"v1", "configmaps", ns_}.Url(),
                             {{"metadata", {{"name", "cm-" + std::to_string(i)}}}});
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  auto list = kube::ListAll(*client_, ResourcePath{"v1", "configmaps", ns_}, 3);
  ASSERT_TRUE(list.ok()) << list.failure.Message();
  // 7 ConfigMaps + kube-root-ca.crt (made by the controller manager, maybe not yet).
  EXPECT_GE(list.items.size(), 7u);
  EXPECT_GE(list.pages, 3);
  EXPECT_FALSE(list.resource_version.empty());
}

TEST_F(KubeClientTest, WatchDeliversBookmarksWhenAskedFor) {
  auto list = client_->Get(ResourcePath{"v1", "configmaps", ns_}.Url());
  ASSERT_TRUE(list.ok());
  const std::string rv = list.body["metadata"]["resourceVersion"];
  std::string bookmark_rv;
  // The API server sends a bookmark about 2 s before a watch's timeout, carrying
  // its watch cache's revision once that has moved past the watch's start: a
  // write elsewhere (another namespace) moves it. Best-effort, so a few tries.
  std::atomic<bool> watching{true};
  std::thread writer([&] {
    auto other = ControlPlaneEnvironment::Get().AdminClient();
    for (int i = 0; watching; ++i) {
      other->Create(ResourcePath{"v1", "configmaps", "default"}.Url(),
                    {{"metadata", {{"name", ns_ + "-" + std::to_string(i)}}}});
      std::this_thread::sleep_for(500ms);  // a write rate, not synchronisation
    }
  });
  for (int attempt = 0; attempt < 3 && bookmark_rv.empty(); ++attempt) {
    auto r = client_->Watch(ResourcePath{"v1",
                                         "configmaps",
                                         ns_,
                                         "",
                                         "",
                                         {{"watch", "true"},
                                          {"resourceVersion", rv},
                                          {"allowWatchBookmarks", "true"},
                                          {"timeoutSeconds", "8"}}}
                                .Url(),
                            [&](const json& raw) {
                              auto e = kube::DecodeWatchEvent(raw);
                              EXPECT_TRUE(e.ok()) << raw.dump();
                              if (e.ok() && e->type == kube::WatchEvent::Type::kBookmark) {
                                bookmark_rv = e->resource_version;
                                return false;
                              }
                              return true;
                            });
    EXPECT_TRUE(r.error.empty()) << r.error;
  }
  watching = false;
  writer.join();
  EXPECT_FALSE(bookmark_rv.empty()) << "no BOOKMARK in 3 watches of 8 s";
  EXPECT_GT(std::stoll(bookmark_rv), std::stoll(rv)) << "a bookmark moves the watch forward";
}

TEST_F(KubeClientTest, WatchFromACompactedResourceVersionIsAnErrorEvent410) {
  // configmaps: a built-in resource, whose cache goes back to the first write
  // until kube-apiserver restarts.
  ExpireOldResourceVersions(ControlPlaneEnvironment::Get(), "/api/v1/configmaps");
  client_ = ControlPlaneEnvironment::Get().AdminClient();
  kube::WatchEvent error;
  auto r = client_->Watch(
      ResourcePath{"v1",
                   "configmaps",
                   ns_,
                   "",
                   "",
                   {{"watch", "true"}, {"resourceVersion", "1"}, {"timeoutSeconds", "10"}}}
          .Url(),
      [&](const json& raw) {
        auto e = kube::DecodeWatchEvent(raw);
        if (e.ok() && e->type == kube::WatchEvent::Type::kError) {
          error = e.value();
          return false;
        }
        return true;
      });
  EXPECT_TRUE(error.IsGone()) << "code " << error.error_code << ": " << error.error_message << " / "
                              << r.Message();
}

TEST_F(KubeClientTest, CancelEndsAQuietWatchAtOnce) {
  kube::WatchControl control;
  std::thread canceller([&] {
    std::this_thread::sleep_for(500ms);  // the watch is open and idle by then
    control.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  client_->Watch(
      ResourcePath{"v1", "secrets", ns_, "", "", {{"watch", "true"}, {"timeoutSeconds", "120"}}}
          .Url(),
      [](const json&) { return true; }, &control);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(KubeClientTest, StatusUpdateConflictIsRetriedAndWins) {
  const ResourcePath monitors{"modelmonitor.io/v1alpha1", "modelmonitors", ns_};
  auto created =
      client_->Create(monitors.Url(), ModelMonitor("m", {{"matchLabels", {{"a", "b"}}}}));
  ASSERT_TRUE(created.ok()) << created.Message();
  const json stale = created.body;  // the first attempt writes from this, now stale:
  ResourcePath status{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "m", "status"};
  json other = stale;
  other["status"] = {{"lastAction", "someone-else"}};
  ASSERT_TRUE(client_->Replace(status.Url(), other).ok());

  ResourcePath object{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "m"};
  auto r = kube::UpdateStatus(
      *client_, object,
      [](const json& current) -> std::optional<json> {
        json s = current.value("status", json::object());
        s["observedGeneration"] = current["metadata"]["generation"];
        return s;
      },
      &stale);
  EXPECT_TRUE(r.written) << r.response.Message();
  EXPECT_EQ(r.conflicts, 1);
  auto got = client_->Get(object.Url());
  EXPECT_EQ(got.body["status"]["observedGeneration"], 1);
  EXPECT_EQ(got.body["status"]["lastAction"], "someone-else") << "the re-read kept the other write";
}

}  // namespace
}  // namespace mm::testing
