#include "operator/webhook/injection_report.h"

#include <gtest/gtest.h>

#include "operator/webhook/annotations.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

json Named(json pod, const std::string& name) {
  pod["metadata"]["name"] = name;
  return pod;
}

TEST(InjectionReport, CountsInjectedMissedAndChosenOutPods) {
  json injected = Named(testing::ModelPod(), "a");
  injected["metadata"]["annotations"][kInjectedAnnotation] = "fraud@0.1.0";
  json by_other = Named(testing::ModelPod(), "b");
  by_other["metadata"]["annotations"][kInjectedAnnotation] = "older@0.1.0";
  json opted_out = Named(testing::ModelPod(), "c");
  opted_out["metadata"]["annotations"][kInjectAnnotation] = "false";
  json host = Named(testing::ModelPod(), "d");
  host["spec"]["hostNetwork"] = true;
  json missed = Named(testing::ModelPod(), "e");
  json deleting = Named(testing::ModelPod(), "f");
  deleting["metadata"]["deletionTimestamp"] = "2026-11-22T05:00:00Z";
  json unrelated = Named(testing::ModelPod({{"app", "web"}}), "g");
  const auto r = ReportInjection(
      testing::Monitor(),
      json::array({injected, by_other, opted_out, host, missed, deleting, unrelated, "not a pod"}));
  EXPECT_EQ(r.matched, 5);
  EXPECT_EQ(r.injected, 1);
  EXPECT_EQ(r.other_monitor, 1);
  EXPECT_EQ(r.opted_out, 1);
  EXPECT_EQ(r.host_network, 1);
  EXPECT_EQ(r.missed, std::vector<std::string>{"e"});
}

}  // namespace
}  // namespace mm::webhook
