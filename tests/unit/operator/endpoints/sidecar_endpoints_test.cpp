#include "operator/endpoints/sidecar_endpoints.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using nlohmann::json;

json InjectedPod(const std::string& monitor = "fraud") {
  const json ports = json::array({{{"name", "http"}, {"containerPort", 8080}},
                                  {{"name", "mm-admin"}, {"containerPort", 9091}}});
  const json sidecar = {{"name", "modelmonitor-sidecar"}, {"ports", ports}};
  json pod;
  pod["metadata"] = {{"name", "fraud-1"},
                     {"annotations", {{"modelmonitor.io/injected", monitor + "@1"}}}};
  pod["spec"]["initContainers"] = json::array({sidecar});
  pod["status"] = {{"phase", "Running"},
                   {"podIP", "10.1.2.3"},
                   {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}};
  return pod;
}

TEST(SidecarEndpoints, ARunningInjectedPodIsAnEndpoint) {
  auto e = SidecarEndpointOf("fraud", InjectedPod());
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->pod, "fraud-1");
  EXPECT_EQ(e->ip, "10.1.2.3");
  EXPECT_EQ(e->admin_port, 9091);
  EXPECT_TRUE(e->ready);
}

TEST(SidecarEndpoints, ANotReadyPodIsStillTried) {
  json pod = InjectedPod();
  pod["status"]["conditions"][0]["status"] = "False";
  auto e = SidecarEndpointOf("fraud", pod);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->ready);
}

TEST(SidecarEndpoints, PodsThatCannotTakeLabelsAreNot) {
  EXPECT_FALSE(SidecarEndpointOf("other", InjectedPod()).ok()) << "another monitor's";
  json pending = InjectedPod();
  pending["status"]["phase"] = "Pending";
  EXPECT_FALSE(SidecarEndpointOf("fraud", pending).ok());
  json no_ip = InjectedPod();
  no_ip["status"].erase("podIP");
  EXPECT_FALSE(SidecarEndpointOf("fraud", no_ip).ok());
  json leaving = InjectedPod();
  leaving["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(SidecarEndpointOf("fraud", leaving).ok());
  json no_port = InjectedPod();
  no_port["spec"]["initContainers"][0]["ports"].erase(1);
  auto e = SidecarEndpointOf("fraud", no_port);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("mm-admin"), std::string::npos);
}

}  // namespace
}  // namespace mm::op
