#include "operator/events/event_recorder.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

const ObjectRef kMonitor{"modelmonitor.io/v1alpha1", "ModelMonitor", "prod", "fraud", "uid-1"};

TEST(EventRecorderTest, BuildsAnEventsV1Event) {
  EventOptions o;
  o.reporting_instance = "op-1";
  auto e = EventRecorder::Build(kMonitor, EventRecorder::Type::kWarning, "TargetNotFound",
                                "Reconcile", "spec.target Deployment prod/x does not exist", o);
  EXPECT_EQ(e["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "TargetNotFound");
  EXPECT_EQ(e["reportingController"], "modelmonitor.io/operator");
  EXPECT_EQ(e["reportingInstance"], "op-1");
  EXPECT_EQ(e["regarding"]["uid"], "uid-1");
  const std::string name = e["metadata"]["name"];
  EXPECT_EQ(name.rfind("fraud.", 0), 0u) << name;
  EXPECT_GT(name.size(), 6u);
  EXPECT_EQ(e["eventTime"].get<std::string>().size(), 27u);  // 2026-11-22T05:21:24.123456Z
}

TEST(EventRecorderTest, PostsOnceAndDeduplicatesRepeats) {
  testing::FakeKubeClient fake;
  const std::string path = "/apis/events.k8s.io/v1/namespaces/prod/events";
  fake.Queue("POST", path, 201);
  fake.Queue("POST", path, 201);
  EventRecorder recorder(fake, EventOptions{});
  recorder.Record(kMonitor, EventRecorder::Type::kNormal, "Reconciled", "Reconcile", "ok");
  recorder.Record(kMonitor, EventRecorder::Type::kNormal, "Reconciled", "Reconcile", "ok");
  recorder.Record(kMonitor, EventRecorder::Type::kWarning, "PodsNotInjected", "Reconcile", "1/2");
  recorder.Flush();
  EXPECT_EQ(recorder.posted(), 2);
  EXPECT_EQ(fake.calls().size(), 2u);
}

TEST(EventRecorderTest, DropsAndCountsWhenTheQueueIsFull) {
  testing::FakeKubeClient fake;  // unscripted: every POST answers 404, quickly
  EventOptions o;
  o.max_queued = 0;
  int dropped_callbacks = 0;
  o.on_dropped = [&] { ++dropped_callbacks; };
  EventRecorder recorder(fake, o);
  recorder.Record(kMonitor, EventRecorder::Type::kNormal, "Reconciled", "Reconcile", "a");
  recorder.Flush();
  EXPECT_EQ(recorder.dropped(), 1);
  EXPECT_EQ(dropped_callbacks, 1);
}

}  // namespace
}  // namespace mm::op
