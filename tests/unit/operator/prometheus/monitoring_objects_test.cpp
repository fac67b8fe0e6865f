#include "operator/prometheus/monitoring_objects.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mm::op {
namespace {

using nlohmann::json;

// One alert of spec.alerts on `metric`, written as a user would.
json Alert(const std::string& name, const std::string& metric, json extra = json::object()) {
  json a = {{"name", name}, {"metric", metric}, {"op", ">"}, {"threshold", 0.25}};
  for (const auto& [k, v] : extra.items()) a[k] = v;
  return a;
}

api::ModelMonitor Parse(const json& alerts,
                        const json& selector = {{"matchLabels", {{"app", "fraud"}}}}) {
  json object = {{"apiVersion", "modelmonitor.io/v1alpha1"},
                 {"kind", "ModelMonitor"},
                 {"metadata", {{"name", "fraud"}, {"namespace", "prod"}, {"uid", "u-1"}}},
                 {"spec", {{"selector", selector}, {"target", {{"name", "fraud"}}}}}};
  object["spec"]["alerts"] = alerts;
  bool labels = false;
  for (const auto& a : alerts) {
    const std::string m = a["metric"];
    labels = labels || m == "accuracy" || m == "precision" || m == "recall" || m == "f1" ||
             m == "auc_roc" || m == "log_loss" || m == "label_coverage";
  }
  if (labels)
    object["spec"]["groundTruth"] = {{"task", "binary-classification"}, {"positiveClass", "fraud"}};
  auto parsed = api::ParseModelMonitor(object);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.value();
}

std::string Expr(const json& alert) {
  const api::ModelMonitor m = Parse(json::array({alert}));
  auto e = AlertExpression(m.spec.alerts[0], "prod", "fraud");
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
  return e.ok() ? e.value() : "";
}

std::string Reason(const json& alert) {
  const api::ModelMonitor m = Parse(json::array({alert}));
  auto e = AlertExpression(m.spec.alerts[0], "prod", "fraud");
  EXPECT_FALSE(e.ok()) << alert.dump() << " -> " << (e.ok() ? e.value() : "");
  return e.ok() ? "" : e.error().message;
}

constexpr char kSel[] = R"({namespace="prod",modelmonitor="fraud"})";

TEST(MonitoringObjects, LatencyQuantilesComeFromTheRequestHistogram) {
  const std::string guard =
      "\n  and on (namespace, modelmonitor) sum by (namespace, modelmonitor) "
      "(increase(modelmonitor_sidecar_request_duration_seconds_count" +
      std::string(kSel) + "[5m])) >= 20";
  for (const auto& [metric, q] :
       std::vector<std::pair<std::string, std::string>>{{"latency_p50_seconds", "0.5"},
                                                        {"latency_p90_seconds", "0.9"},
                                                        {"latency_p99_seconds", "0.99"}}) {
    EXPECT_EQ(Expr(Alert("slow", metric)),
              "histogram_quantile(" + q +
                  ", sum by (namespace, modelmonitor, le) "
                  "(rate(modelmonitor_sidecar_request_duration_seconds_bucket" +
                  kSel + "[5m]))) > 0.25" + guard)
        << metric;
  }
}

TEST(MonitoringObjects, TtftComesFromTheFirstTokenHistogram) {
  EXPECT_EQ(Expr(Alert("ttft", "ttft_p99_seconds", {{"window", "10m"}, {"minSamples", 5}})),
            std::string("histogram_quantile(0.99, sum by (namespace, modelmonitor, le) "
                        "(rate(modelmonitor_sidecar_time_to_first_token_seconds_bucket") +
                kSel +
                "[10m]))) > 0.25\n  and on (namespace, modelmonitor) sum by (namespace, "
                "modelmonitor) (increase(modelmonitor_sidecar_time_to_first_token_seconds_count" +
                kSel + "[10m])) >= 5");
}

TEST(MonitoringObjects, ErrorRateIsTheShareOf5xxAnswers) {
  EXPECT_EQ(
      Expr(Alert("errors", "error_rate", {{"op", ">="}, {"threshold", 0.05}, {"minSamples", 50}})),
      "sum by (namespace, modelmonitor) (rate(modelmonitor_sidecar_requests_total{namespace="
      "\"prod\",modelmonitor=\"fraud\",code=\"5xx\"}[5m])) / sum by (namespace, modelmonitor) "
      "(rate(modelmonitor_sidecar_requests_total" +
          std::string(kSel) +
          "[5m])) >= 0.05\n  and on (namespace, modelmonitor) sum by (namespace, modelmonitor) "
          "(increase(modelmonitor_sidecar_requests_total" +
          kSel + "[5m])) >= 50");
}

TEST(MonitoringObjects, RequestsPerSecondSumsThePods) {
  EXPECT_EQ(Expr(Alert("idle", "requests_per_second",
                       {{"op", "<"}, {"threshold", 1}, {"window", "1h30m"}, {"minSamples", 1}})),
            "sum by (namespace, modelmonitor) (rate(modelmonitor_sidecar_requests_total" +
                std::string(kSel) +
                "[1h30m])) < 1\n  and on (namespace, modelmonitor) sum by (namespace, "
                "modelmonitor) (increase(modelmonitor_sidecar_requests_total" +
                kSel + "[1h30m])) >= 1");
}

TEST(MonitoringObjects, ResourcesAreTheBusiestPodsLatestReading) {
  const std::string s = kSel;
  EXPECT_EQ(Expr(Alert("cpu", "cpu_cores", {{"threshold", 2}})),
            "max by (namespace, modelmonitor) (modelmonitor_sidecar_model_cpu_cores" + s + ") > 2");
  EXPECT_EQ(Expr(Alert("mem", "memory_bytes", {{"op", ">="}, {"threshold", 2e9}})),
            "max by (namespace, modelmonitor) (modelmonitor_sidecar_model_working_set_bytes" + s +
                " or modelmonitor_sidecar_model_resident_memory_bytes" + s + ") >= 2e+09");
  EXPECT_EQ(Expr(Alert("gpu", "gpu_utilization", {{"op", "<="}, {"threshold", 0.1}})),
            "max by (namespace, modelmonitor) (avg by (namespace, modelmonitor, pod) "
            "(modelmonitor_sidecar_gpu_utilization_ratio" +
                s + ")) <= 0.1");
  EXPECT_EQ(Expr(Alert("gpumem", "gpu_memory_bytes", {{"threshold", 1073741824}})),
            "max by (namespace, modelmonitor) (sum by (namespace, modelmonitor, pod) "
            "(modelmonitor_sidecar_gpu_memory_used_bytes" +
                s + ")) > 1073741824");
}

TEST(MonitoringObjects, MeanLabelMetricsAreWeightedByLabelledSamplesOverTheGaugeWindow) {
  const std::string g = R"({namespace="prod",modelmonitor="fraud",window="3600s"})";
  const std::string weights =
      "sum by (namespace, modelmonitor) (modelmonitor_labeled_samples" + g + ")";
  EXPECT_EQ(Expr(Alert("acc", "accuracy", {{"op", "<"}, {"threshold", 0.9}, {"window", "1h"}})),
            "sum by (namespace, modelmonitor) (modelmonitor_accuracy" + g +
                " * modelmonitor_labeled_samples" + g + ") / " + weights +
                " < 0.9\n  and on (namespace, modelmonitor) " + weights + " >= 20");
  EXPECT_EQ(Expr(Alert("ll", "log_loss", {{"window", "60m"}, {"minSamples", 100}})),
            "sum by (namespace, modelmonitor) (modelmonitor_log_loss" + g +
                " * modelmonitor_labeled_samples" + g + ") / " + weights +
                " > 0.25\n  and on (namespace, modelmonitor) " + weights + " >= 100");
}

TEST(MonitoringObjects, RegressionErrorsToo) {
  const api::ModelMonitor m = [] {
    json object = {{"metadata", {{"name", "fraud"}, {"namespace", "prod"}, {"uid", "u-1"}}},
                   {"spec",
                    {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
                     {"target", {{"name", "fraud"}}},
                     {"groundTruth", {{"task", "regression"}}},
                     {"alerts", json::array({Alert("mae", "mae", {{"window", "1h"}}),
                                             Alert("rmse", "rmse", {{"window", "1h"}}),
                                             Alert("r2", "r2", {{"window", "1h"}})})}}}};
    return api::ParseModelMonitor(object).value();
  }();
  const std::string g = R"({namespace="prod",modelmonitor="fraud",window="3600s"})";
  const std::string weights =
      "sum by (namespace, modelmonitor) (modelmonitor_labeled_samples" + g + ")";
  const std::string guard = "\n  and on (namespace, modelmonitor) " + weights + " >= 20";
  EXPECT_EQ(AlertExpression(m.spec.alerts[0], "prod", "fraud").value(),
            "sum by (namespace, modelmonitor) (modelmonitor_mae" + g +
                " * modelmonitor_labeled_samples" + g + ") / " + weights + " > 0.25" + guard);
  EXPECT_EQ(AlertExpression(m.spec.alerts[1], "prod", "fraud").value(),
            "sqrt(sum by (namespace, modelmonitor) (modelmonitor_rmse" + g +
                " ^ 2 * modelmonitor_labeled_samples" + g + ") / " + weights + ") > 0.25" + guard);
  EXPECT_FALSE(AlertExpression(m.spec.alerts[2], "prod", "fraud").ok());
}

TEST(MonitoringObjects, AlertsWithoutAFaithfulEquivalentSayWhy) {
  EXPECT_NE(Reason(Alert("acc", "accuracy", {{"window", "5m"}})).find("use window: 1h"),
            std::string::npos);
  for (const char* metric : {"precision", "recall", "f1", "auc_roc", "label_coverage"}) {
    EXPECT_NE(Reason(Alert("q", metric, {{"window", "1h"}})).find("cannot be merged"),
              std::string::npos)
        << metric;
  }
  EXPECT_NE(Reason(Alert("drift", "prediction_psi")).find("prediction_psi"), std::string::npos);
  EXPECT_NE(Reason(Alert("smooth", "latency_p99_seconds", {{"smoothing", {{"emaAlpha", 0.5}}}}))
                .find("smoothing.emaAlpha"),
            std::string::npos);
  EXPECT_NE(Reason(Alert("slow", "latency_p99_seconds", {{"confidence", 0.95}})).find("confidence"),
            std::string::npos);
}

TEST(MonitoringObjects, PodMonitorScrapesOnlyThisMonitorsSidecarsAndLabelsThem) {
  const api::ModelMonitor m =
      Parse(json::array(), {{"matchLabels", {{"app", "fraud"}}},
                            {"matchExpressions",
                             {{{"key", "track"}, {"operator", "In"}, {"values", {"a", "b"}}},
                              {{"key", "canary"}, {"operator", "DoesNotExist"}}}}});
  const auto objects = BuildMonitoringObjects(m, {{"release", "kube-prometheus-stack"}});
  const json& pm = objects.pod_monitor;
  EXPECT_EQ(pm["apiVersion"], "monitoring.coreos.com/v1");
  EXPECT_EQ(pm["kind"], "PodMonitor");
  EXPECT_EQ(pm["metadata"]["name"], "fraud-modelmonitor");
  EXPECT_EQ(pm["metadata"]["namespace"], "prod");
  EXPECT_EQ(pm["metadata"]["labels"]["app.kubernetes.io/managed-by"], "modelmonitor-operator");
  EXPECT_EQ(pm["metadata"]["labels"]["release"], "kube-prometheus-stack");
  EXPECT_EQ(pm["metadata"]["ownerReferences"],
            json::parse(R"([{"apiVersion": "modelmonitor.io/v1alpha1", "kind": "ModelMonitor",
                             "name": "fraud", "uid": "u-1", "controller": true,
                             "blockOwnerDeletion": true}])"));
  EXPECT_EQ(pm["spec"], json::parse(R"({
    "selector": {"matchLabels": {"app": "fraud"},
                 "matchExpressions": [{"key": "track", "operator": "In", "values": ["a", "b"]},
                                      {"key": "canary", "operator": "DoesNotExist"}]},
    "podMetricsEndpoints": [{"port": "mm-admin", "path": "/metrics", "relabelings": [
      {"sourceLabels": ["__meta_kubernetes_pod_annotation_modelmonitor_io_injected"],
       "regex": "fraud@.*", "action": "keep"},
      {"targetLabel": "modelmonitor", "replacement": "fraud", "action": "replace"}]}]})"))
      << pm["spec"].dump(2);
}

TEST(MonitoringObjects, PrometheusRuleHasOneRulePerTranslatedAlertWithTheReceiversLabels) {
  const api::ModelMonitor m = Parse(json::array(
      {Alert("p99-slow", "latency_p99_seconds", {{"for", "2m"}, {"severity", "critical"}}),
       Alert("drift", "prediction_psi"), Alert("errors", "error_rate")}));
  const auto objects = BuildMonitoringObjects(m, {});
  const json& pr = objects.prometheus_rule;
  EXPECT_EQ(pr["kind"], "PrometheusRule");
  EXPECT_EQ(pr["metadata"]["name"], "fraud-modelmonitor");
  EXPECT_EQ(pr["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(pr["metadata"]["labels"]["app.kubernetes.io/managed-by"], "modelmonitor-operator");
  ASSERT_EQ(pr["spec"]["groups"].size(), 1u);
  EXPECT_EQ(pr["spec"]["groups"][0]["name"], "modelmonitor.prod.fraud");
  const json& rules = pr["spec"]["groups"][0]["rules"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(objects.rules, 2);
  EXPECT_EQ(rules[0]["alert"], "ModelMonitorP99Slow");
  EXPECT_EQ(rules[0]["for"], "2m");
  EXPECT_EQ(rules[0]["labels"],
            json({{"modelmonitor_alert", "p99-slow"}, {"severity", "critical"}}));
  EXPECT_EQ(rules[0]["annotations"]["value"], "{{ $value }}");
  EXPECT_EQ(rules[0]["annotations"]["summary"],
            "alert p99-slow of ModelMonitor prod/fraud: latency_p99_seconds > 0.25 (window 5m), "
            "measured {{ $value }}");
  EXPECT_EQ(rules[0]["expr"], AlertExpression(m.spec.alerts[0], "prod", "fraud").value());
  EXPECT_EQ(rules[1]["alert"], "ModelMonitorErrors");
  EXPECT_EQ(rules[1]["for"], "0s");
  EXPECT_EQ(rules[1]["labels"]["severity"], "warning");
  ASSERT_EQ(objects.untranslated.size(), 1u);
  EXPECT_EQ(objects.untranslated[0].alert, "drift");
}

// "latency_p50_seconds" -> "latency-p50-seconds" (alert names are DNS labels).
std::string DnsLabel(std::string metric) {
  std::replace(metric.begin(), metric.end(), '_', '-');
  return metric;
}

// Prometheus' own checker (Debian's promtool) parses every rule the builder writes.
TEST(MonitoringObjects, EveryTranslatedRulePassesPromtool) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "no /usr/bin/promtool";
  json classification = json::array();
  for (const char* metric : {"latency_p50_seconds", "latency_p90_seconds", "latency_p99_seconds",
                             "ttft_p99_seconds", "error_rate", "requests_per_second", "cpu_cores",
                             "memory_bytes", "gpu_utilization", "gpu_memory_bytes"}) {
    classification.push_back(Alert(DnsLabel(metric), metric, {{"for", "90s"}}));
  }
  for (const char* metric : {"accuracy", "log_loss"}) {
    classification.push_back(Alert(DnsLabel(metric), metric, {{"window", "1h"}, {"op", "<="}}));
  }
  json regression = json::array();
  for (const char* metric : {"mae", "rmse"}) {
    regression.push_back(Alert(DnsLabel(metric), metric, {{"window", "1h"}}));
  }
  json object = {{"metadata", {{"name", "reg.v2"}, {"namespace", "prod"}, {"uid", "u-2"}}},
                 {"spec",
                  {{"selector", {{"matchLabels", {{"app", "reg"}}}}},
                   {"target", {{"name", "reg"}}},
                   {"groundTruth", {{"task", "regression"}}},
                   {"alerts", regression}}}};
  json groups = json::array();
  int rules = 0;
  for (const api::ModelMonitor& m :
       {Parse(classification), api::ParseModelMonitor(object).value()}) {
    const auto objects = BuildMonitoringObjects(m, {});
    EXPECT_TRUE(objects.untranslated.empty()) << objects.untranslated[0].reason;
    rules += objects.rules;
    for (const auto& g : objects.prometheus_rule["spec"]["groups"]) groups.push_back(g);
  }
  EXPECT_EQ(rules, 14);
  const auto file = std::filesystem::temp_directory_path() /
                    ("mm-monitoring-objects-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << json({{"groups", groups}}).dump(2);
  const std::string command = "/usr/bin/promtool check rules " + file.string() + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = ::pclose(pipe);
  std::filesystem::remove(file);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("SUCCESS: 14 rules found"), std::string::npos) << output;
}

TEST(MonitoringObjects, NoAlertsMeansAnEmptyGroup) {
  const auto objects = BuildMonitoringObjects(Parse(json::array()), {});
  EXPECT_EQ(objects.rules, 0);
  EXPECT_EQ(objects.prometheus_rule["spec"]["groups"][0]["rules"], json::array());
}

}  // namespace
}  // namespace mm::op
