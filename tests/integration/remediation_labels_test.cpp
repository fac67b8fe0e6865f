// Alerts on delayed labels end to end on the real control plane (the setting of
// remediation_test.cpp): a real sidecar records the model's predictions, the test
// posts their labels to it, and the operator's alert on accuracy decides.
#include <gtest/gtest.h>

#include "tests/support/control_plane.h"
#include "tests/support/http_call.h"
#include "tests/support/remediation_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// One pod of model:1 behind a sidecar that records predictions (json protocol,
// binary classification) with the label token "l", the monitor `spec`, an operator.
class LabelledRemediationTest : public RemediationFixture {
 protected:
  void StartLabelledModel(Model& model, json spec) {
    spec["serving"] = {
        {"port", "model-http"}, {"protocol", "json"}, {"outputPath", "$.predictions"}};
    spec["groundTruth"] = {{"task", "binary-classification"}, {"positiveClass", "1"}};
    // What the webhook gives the sidecar: the spec and the label token.
    StartKubelet({{"model:1", &model}}, {"MM_MONITOR_CONFIG=" + spec.dump(), "MM_LABEL_TOKEN=l"});
    CreateDeployment("model:1", 1);
    ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
    CreateMonitor(spec);
    StartOperator("op-a");
    pod_ = kubelet_->Ready()[0];
  }

  // n predictions with ids r0..r<n-1>, then a wait until the store holds all of them
  // (they reach it asynchronously).
  void PredictAndWaitRecorded(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(HttpCall(pod_.ip, data_port_, "POST", "/predict", "{}",
                         {{"x-request-id", "r" + std::to_string(i)},
                          {"content-type", "application/json"}})
                    .status,
                200);
    }
    std::string last;  // the last snapshot answer, for the failure message
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = HttpCall(pod_.ip, admin_port_, "GET", "/v1/snapshot", "",
                            {{"authorization", std::string("Bearer ") + kAdminToken}});
          last = std::to_string(r.status) + " " + r.body;
          if (r.status != 200) return false;
          int64_t recorded = 0;
          const json snapshot = json::parse(r.body);
          for (const auto& b : snapshot["accuracy"]["buckets"]) {
            recorded += b.value("recorded", int64_t{0});
          }
          return recorded == n;
        },
        20s, 50ms))
        << last;
  }

  // Label `label` for predictions r<from>..r<to-1>; every one must join.
  void PostLabels(int from, int to, int label) {
    json labels = json::array();
    for (int i = from; i < to; ++i) {
      labels.push_back({{"id", "r" + std::to_string(i)}, {"label", label}});
    }
    auto r = HttpCall(pod_.ip, admin_port_, "POST", "/v1/labels", json{{"labels", labels}}.dump(),
                      {{"content-type", "application/json"}, {"authorization", "Bearer l"}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(json::parse(r.body).value("joined", -1), to - from) << r.body;
  }

  PlayedKubelet::RunningPod pod_;
};

TEST_F(LabelledRemediationTest, AccuracyDropAfterLabelsRetrainsOnceAndTooFewLabelsDoNothing) {
  Model model(R"({"predictions":[1]})");  // always class 1
  json spec = Spec({{"name", "accuracy-drop"},
                    {"metric", "accuracy"},
                    {"op", "<"},
                    {"threshold", 0.8},
                    {"window", "1m"},
                    {"minSamples", 20},
                    {"action", "retrain"}},
                   {{"cooldown", "0s"}, {"retrain", {{"jobTemplate", RetrainTemplate()}}}});
  ASSERT_NO_FATAL_FAILURE(StartLabelledModel(model, spec));
  ASSERT_NO_FATAL_FAILURE(PredictAndWaitRecorded(50));

  // 10 labels, all right: accuracy 1 but too few to judge.
  PostLabels(0, 10, 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        json a = Alert();
        return a.value("state", "") == "Inconclusive" && a.value("samples", 0) == 10;
      },
      30s, 100ms))
      << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitRounds(0, 3));
  EXPECT_TRUE(Jobs().empty());
  EXPECT_TRUE(Remediations().empty());

  // 40 more, all wrong: accuracy 10/50 = 0.2 < 0.8 -> Firing -> one retrain Job.
  PostLabels(10, 50, 0);
  ASSERT_TRUE(WaitAlert("Firing", 30s)) << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitFor([&] { return Jobs().size() == 1; }, 30s)) << Monitor()["status"].dump(2);
  json a = Alert();
  EXPECT_DOUBLE_EQ(a.value("value", 0.0), 0.2);
  EXPECT_EQ(a.value("samples", 0), 50);
  json metrics = Monitor()["status"]["metrics"];
  EXPECT_DOUBLE_EQ(metrics.value("accuracy", 0.0), 0.2);
  EXPECT_EQ(metrics.value("labeledSamples", 0), 50);
  const json job = Jobs()[0];
  EXPECT_EQ(job["metadata"]["annotations"]["modelmonitor.io/value"], "0.2");
  EXPECT_EQ(job["metadata"]["labels"]["modelmonitor.io/alert"], "accuracy-drop");
  ASSERT_TRUE(WaitRounds(0, 3));
  EXPECT_EQ(Jobs().size(), 1u);
  ASSERT_TRUE(WaitEvent("RetrainJobCreated"));
  EXPECT_NE(Events("RetrainJobCreated")[0]
                .value("note", "")
                .find("measured 0.2 (threshold 0.8, "
                      "window 1m, 50 samples)"),
            std::string::npos)
      << Events("RetrainJobCreated")[0].dump();
}

// confidence through the real apiserver: 10 right labels of 10 are not evidence of
// accuracy >= 0.8 (95% lower bound 0.787), so the alert is Inconclusive where a raw
// threshold says Inactive; 10 of 50 are evidence of < 0.8 (upper bound 0.307): Firing,
// with both bounds in status (the CRD keeps the fields) and the bound in the Event.
TEST_F(LabelledRemediationTest, ConfidenceDecidesOnTheBoundAndShowsIt) {
  Model model(R"({"predictions":[1]})");  // always class 1
  json spec = Spec({{"name", "accuracy-drop"},
                    {"metric", "accuracy"},
                    {"op", "<"},
                    {"threshold", 0.8},
                    {"window", "1m"},
                    {"minSamples", 1},
                    {"confidence", 0.95},
                    {"action", "none"}},
                   {{"cooldown", "0s"}});
  ASSERT_NO_FATAL_FAILURE(StartLabelledModel(model, spec));
  ASSERT_NO_FATAL_FAILURE(PredictAndWaitRecorded(50));

  PostLabels(0, 10, 1);  // 10 of 10 right
  ASSERT_TRUE(WaitFor(
      [&] {
        json a = Alert();
        return a.value("samples", 0) == 10 && a.contains("lowerBound");
      },
      30s, 100ms))
      << Monitor()["status"].dump(2);
  json a = Alert();
  EXPECT_EQ(a.value("state", ""), "Inconclusive") << a.dump();
  EXPECT_NEAR(a.value("lowerBound", 0.0), 0.787, 0.001) << a.dump();
  EXPECT_NE(a.value("message", "").find("not enough evidence"), std::string::npos) << a.dump();

  PostLabels(10, 50, 0);  // 10 of 50 right
  ASSERT_TRUE(WaitAlert("Firing", 30s)) << Monitor()["status"].dump(2);
  a = Alert();
  EXPECT_DOUBLE_EQ(a.value("value", 0.0), 0.2);
  EXPECT_NEAR(a.value("upperBound", 0.0), 0.3073, 0.0001) << a.dump();
  EXPECT_NEAR(a.value("lowerBound", 0.0), 0.1235, 0.0001) << a.dump();
  ASSERT_TRUE(WaitEvent("AlertFiring"));
  EXPECT_NE(
      Events("AlertFiring")[0].value("note", "").find("accuracy 0.2 (95% upper bound 0.3073)"),
      std::string::npos)
      << Events("AlertFiring")[0].dump();
}

}  // namespace
}  // namespace mm::testing
