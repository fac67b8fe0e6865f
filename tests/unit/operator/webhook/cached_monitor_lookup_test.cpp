#include "operator/webhook/cached_monitor_lookup.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::webhook {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kMonitors = "/apis/modelmonitor.io/v1alpha1/namespaces/ns/modelmonitors";

json Monitor(const std::string& name, json selector) {
  return {{"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", "1"}}},
          {"spec", {{"selector", std::move(selector)}, {"target", {{"name", name}}}}}};
}

class CountingLookup final : public MonitorLookup {
 public:
  Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string&) override {
    ++calls;
    return std::vector<api::ParsedMonitor>{};
  }
  int calls = 0;
};

TEST(CachedMonitorLookup, AsksTheApiUntilTheCacheHasSynced) {
  testing::FakeKubeClient fake;
  kube::InformerOptions o;
  o.collection = {"modelmonitor.io/v1alpha1", "modelmonitors", "ns"};
  kube::Informer informer(fake, "modelmonitors", o);
  CountingLookup api;
  CachedMonitorLookup lookup(informer, api);
  ASSERT_TRUE(lookup.MonitorsIn("ns").ok());
  EXPECT_EQ(api.calls, 1);

  fake.Queue("GET", kMonitors + "?limit=500", 200,
             {{"items",
               {Monitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}),
                Monitor("broken", "not a selector")}},
              {"metadata", {{"resourceVersion", "9"}}}});
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  informer.Stop();
  auto monitors = lookup.MonitorsIn("ns");
  ASSERT_TRUE(monitors.ok());
  ASSERT_EQ(monitors->size(), 1u) << "the broken monitor is left out, the other serves";
  EXPECT_EQ(monitors->front().meta.name, "fraud");
  EXPECT_EQ(api.calls, 1) << "served from the cache";
  EXPECT_TRUE(lookup.MonitorsIn("other")->empty());
}

}  // namespace
}  // namespace mm::webhook
