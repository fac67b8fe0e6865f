#include "dev/local_kubelet/pod_status.h"

#include <gtest/gtest.h>

namespace mm::dev {
namespace {

ContainerView Running(const std::string& name, bool ready) {
  ContainerView c;
  c.name = name;
  c.image = name + ":1";
  c.state = ContainerView::State::kRunning;
  c.started_at = "2026-01-01T00:00:01Z";
  c.pid = 42;
  c.ready = ready;
  return c;
}

const nlohmann::json& Condition(const nlohmann::json& status, const std::string& type) {
  for (const auto& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  static const nlohmann::json kNone;
  return kNone;
}

TEST(PodStatusTest, ReadyNeedsEveryContainerAndEverySidecar) {
  PodView pod;
  pod.pod_ip = "127.0.0.7";
  pod.start_time = "2026-01-01T00:00:00Z";
  pod.initialized = true;
  pod.ready_since = "2026-01-01T00:00:02Z";
  pod.init_containers = {Running("sidecar", false)};
  pod.init_containers[0].sidecar = true;
  pod.containers = {Running("model", true)};
  auto s = BuildPodStatus(pod);
  EXPECT_EQ(s["phase"], "Running");
  EXPECT_EQ(s["podIP"], "127.0.0.7");
  EXPECT_EQ(s["podIPs"][0]["ip"], "127.0.0.7");
  EXPECT_EQ(Condition(s, "ContainersReady")["status"], "True");
  EXPECT_EQ(Condition(s, "Ready")["status"], "False");  // the sidecar is not ready yet
  pod.init_containers[0].ready = true;
  s = BuildPodStatus(pod);
  EXPECT_EQ(Condition(s, "Ready")["status"], "True");
  EXPECT_EQ(Condition(s, "Ready")["lastTransitionTime"], "2026-01-01T00:00:02Z");
  EXPECT_EQ(s["containerStatuses"][0]["containerID"], "local://42");
  EXPECT_EQ(s["containerStatuses"][0]["state"]["running"]["startedAt"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(s["initContainerStatuses"][0]["started"], true);
}

TEST(PodStatusTest, ACrashLoopingSidecarKeepsThePodUnready) {
  PodView pod;
  pod.pod_ip = "127.0.0.7";
  pod.initialized = true;  // the sidecar ran once
  ContainerView sidecar;
  sidecar.name = "modelmonitor-sidecar";
  sidecar.sidecar = true;
  sidecar.reason = "CrashLoopBackOff";
  ContainerView init_done;  // a regular init container that completed
  init_done.name = "migrate";
  init_done.state = ContainerView::State::kTerminated;
  pod.init_containers = {init_done, sidecar};
  pod.containers = {Running("model", true)};
  EXPECT_FALSE(PodReady(pod));
  EXPECT_EQ(Condition(BuildPodStatus(pod), "Ready")["status"], "False");
  EXPECT_EQ(Condition(BuildPodStatus(pod), "ContainersReady")["status"], "True");
  pod.init_containers[1].state = ContainerView::State::kRunning;
  pod.init_containers[1].ready = true;
  EXPECT_TRUE(PodReady(pod));
}

TEST(PodStatusTest, CrashLoopShowsWaitingAndTheLastExit) {
  PodView pod;
  pod.pod_ip = "127.0.0.8";
  ContainerView c;
  c.name = "model";
  c.reason = "CrashLoopBackOff";
  c.message = "back-off 2000ms";
  c.restart_count = 3;
  c.last_terminated = ContainerView::Terminated{3, "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"};
  pod.containers = {c};
  auto s = BuildPodStatus(pod);
  EXPECT_EQ(s["phase"], "Pending");  // not initialized
  const auto& cs = s["containerStatuses"][0];
  EXPECT_EQ(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(cs["restartCount"], 3);
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(cs["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(cs["ready"], false);
  EXPECT_FALSE(s.contains("initContainerStatuses"));
}

}  // namespace
}  // namespace mm::dev
