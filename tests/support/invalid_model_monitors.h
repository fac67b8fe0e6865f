#pragma once

// ModelMonitors that must be rejected, shared by the CRD's integration test (the apiserver
// must refuse each with a message naming the field and the rule) and the parser's unit test
// (common/api must refuse each naming the same field). Each case is a JSON Patch over
// ValidModelMonitor(), so it differs from a valid object in exactly one way.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm::testing {

// A valid ModelMonitor using most of the API: binary classifier, labels, retrain.
inline nlohmann::json ValidModelMonitor(const std::string& name = "valid") {
  return nlohmann::json::parse(R"({
    "apiVersion": "modelmonitor.io/v1alpha1",
    "kind": "ModelMonitor",
    "metadata": {"name": ")" + name +
                               R"("},
    "spec": {
      "selector": {"matchLabels": {"app": "fraud"}},
      "target": {"kind": "Deployment", "name": "fraud"},
      "serving": {"port": "http", "protocol": "json", "outputPath": "$.predictions"},
      "sidecar": {"sampleRate": 0.5, "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
      "groundTruth": {"task": "binary-classification", "positiveClass": "1", "maxLabelDelay": "24h"},
      "alerts": [
        {"name": "slow", "metric": "latency_p99_seconds", "op": ">", "threshold": 0.25,
         "window": "5m", "for": "2m"},
        {"name": "accuracy-low", "metric": "accuracy", "op": "<", "threshold": 0.9,
         "window": "1h", "action": "rollback"},
        {"name": "errors", "metric": "error_rate", "op": ">", "threshold": 0.05,
         "action": "retrain"}
      ],
      "remediation": {
        "cooldown": "30m",
        "retrain": {"jobTemplate": {"spec": {"template": {"spec": {
          "restartPolicy": "Never",
          "containers": [{"name": "train", "image": "train:1"}]}}}}}
      }
    }
  })");
}

struct InvalidCase {
  std::string name;
  std::string patch;                         // RFC 6902 JSON Patch over ValidModelMonitor()
  std::vector<std::string> server_messages;  // each must appear in the apiserver's answer
  std::string parser_message;                // must appear in ParseModelMonitor's error
};

inline std::vector<InvalidCase> InvalidModelMonitors() {
  return {
      {"missing selector",
       R"([{"op":"remove","path":"/spec/selector"}])",
       {"spec.selector: Required value"},
       "spec.selector: required"},
      {"empty selector",
       R"([{"op":"replace","path":"/spec/selector","value":{}}])",
       {"spec.selector", "must select something"},
       "spec.selector: must select something"},
      {"In without values",
       R"([{"op":"replace","path":"/spec/selector","value":{"matchExpressions":[{"key":"app","operator":"In"}]}}])",
       {"spec.selector.matchExpressions[0]", "operators In and NotIn need values"},
       "spec.selector.matchExpressions[0].values: operators In and NotIn need values"},
      {"missing target name",
       R"([{"op":"remove","path":"/spec/target/name"}])",
       {"spec.target.name: Required value"},
       "spec.target.name: required"},
      {"target kind not Deployment",
       R"([{"op":"replace","path":"/spec/target/kind","value":"StatefulSet"}])",
       {"spec.target.kind: Unsupported value: \"StatefulSet\"", "\"Deployment\""},
       "spec.target.kind: \"StatefulSet\" is not one of \"Deployment\""},
      {"unknown protocol",
       R"([{"op":"replace","path":"/spec/serving/protocol","value":"grpc"}])",
       {"spec.serving.protocol: Unsupported value: \"grpc\"", "\"open-inference-v2\""},
       "spec.serving.protocol: \"grpc\" is not one of"},
      {"port out of range",
       R"([{"op":"replace","path":"/spec/serving/port","value":70000}])",
       {"spec.serving.port", "must be a port number from 1 to 65535"},
       "spec.serving.port: 70000: must be a port number from 1 to 65535"},
      {"port name with capitals",
       R"([{"op":"replace","path":"/spec/serving/port","value":"Model_Port"}])",
       {"spec.serving.port", "or a port name"},
       "spec.serving.port: \"Model_Port\": must be a port number"},
      {"outputPath with protocol openai",
       R"([{"op":"replace","path":"/spec/serving/protocol","value":"openai"}])",
       {"spec.serving.outputPath", "is used only with protocol json"},
       "spec.serving.outputPath: is used only with protocol json"},
      {"sampleRate above 1",
       R"([{"op":"replace","path":"/spec/sidecar/sampleRate","value":1.5}])",
       {"spec.sidecar.sampleRate", "should be less than or equal to 1"},
       "spec.sidecar.sampleRate: 1.5 is out of range"},
      {"cpu not a quantity",
       R"([{"op":"replace","path":"/spec/sidecar/resources/requests/cpu","value":"lots"}])",
       {"spec.sidecar.resources.requests.cpu", "should match"},
       "spec.sidecar.resources.requests.cpu: \"lots\" is not a quantity"},
      {"unknown task",
       R"([{"op":"replace","path":"/spec/groundTruth/task","value":"ranking"}])",
       {"spec.groundTruth.task: Unsupported value: \"ranking\""},
       "spec.groundTruth.task: \"ranking\" is not one of"},
      {"binary without positiveClass",
       R"([{"op":"remove","path":"/spec/groundTruth/positiveClass"}])",
       {"spec.groundTruth.positiveClass: Required value", "is required for binary-classification"},
       "spec.groundTruth.positiveClass: is required for binary-classification"},
      {"positiveClass for multiclass",
       R"([{"op":"replace","path":"/spec/groundTruth/task","value":"multiclass-classification"}])",
       {"spec.groundTruth.positiveClass: Forbidden", "is only for binary-classification"},
       "spec.groundTruth.positiveClass: is only for binary-classification"},
      {"label delay in days",
       R"([{"op":"replace","path":"/spec/groundTruth/maxLabelDelay","value":"1d"}])",
       {"spec.groundTruth.maxLabelDelay", "\"1d\" is not a duration (use 30s, 5m, 1h)"},
       "spec.groundTruth.maxLabelDelay: \"1d\" is not a duration (use 30s, 5m, 1h)"},
      {"duplicate alert names",
       R"([{"op":"replace","path":"/spec/alerts/2/name","value":"slow"}])",
       {"spec.alerts", "alert names must be unique"},
       "spec.alerts[2].name: \"slow\" is also the name of alerts[0]"},
      {"alert name not a DNS label",
       R"([{"op":"replace","path":"/spec/alerts/0/name","value":"Slow Requests"}])",
       {"spec.alerts[0].name", "should match"},
       "spec.alerts[0].name: \"Slow Requests\" is not a DNS label"},
      {"unknown metric",
       R"([{"op":"replace","path":"/spec/alerts/0/metric","value":"p99"}])",
       {"spec.alerts[0].metric: Unsupported value: \"p99\"", "\"latency_p99_seconds\""},
       "spec.alerts[0].metric: \"p99\" is not a metric"},
      {"unknown op",
       R"([{"op":"replace","path":"/spec/alerts/0/op","value":"=="}])",
       {"spec.alerts[0].op: Unsupported value: \"==\""},
       "spec.alerts[0].op: \"==\" is not one of \">\", \">=\", \"<\", \"<=\""},
      {"missing threshold",
       R"([{"op":"remove","path":"/spec/alerts/0/threshold"}])",
       {"spec.alerts[0].threshold: Required value"},
       "spec.alerts[0].threshold: required"},
      {"window not a duration",
       R"([{"op":"replace","path":"/spec/alerts/0/window","value":"5x"}])",
       {"spec.alerts[0].window", "\"5x\" is not a duration (use 30s, 5m, 1h)"},
       "spec.alerts[0].window: \"5x\" is not a duration (use 30s, 5m, 1h)"},
      {"window too short",
       R"([{"op":"replace","path":"/spec/alerts/0/window","value":"1s"}])",
       {"spec.alerts[0].window", "must be from 10s to 720h"},
       "spec.alerts[0].window: \"1s\" is out of range (use from 10s to 720h)"},
      {"negative for",
       R"([{"op":"replace","path":"/spec/alerts/0/for","value":"-1m"}])",
       {"spec.alerts[0].for", "\"-1m\" is not a duration"},
       "spec.alerts[0].for: \"-1m\" is not a duration"},
      {"ratio threshold above 1",
       R"([{"op":"replace","path":"/spec/alerts/2/threshold","value":5}])",
       {"spec.alerts[2].threshold",
        "out of range for error_rate, a ratio: use a value from 0 to 1"},
       "spec.alerts[2].threshold: 5 is out of range for error_rate, a ratio"},
      {"negative latency threshold",
       R"([{"op":"replace","path":"/spec/alerts/0/threshold","value":-0.1}])",
       {"spec.alerts[0].threshold",
        "out of range for latency_p99_seconds, which is never negative"},
       "spec.alerts[0].threshold: -0.1 is out of range for latency_p99_seconds"},
      {"accuracy without groundTruth",
       R"([{"op":"remove","path":"/spec/groundTruth"}])",
       {"spec.alerts", "need spec.groundTruth"},
       "spec.alerts[1].metric: accuracy compares predictions with labels and needs "
       "spec.groundTruth"},
      {"rmse for a classifier",
       R"([{"op":"replace","path":"/spec/alerts/1/metric","value":"rmse"},{"op":"replace","path":"/spec/alerts/1/threshold","value":3}])",
       {"spec.alerts", "regression metrics but spec.groundTruth.task is a classification"},
       "spec.alerts[1].metric: rmse does not apply to spec.groundTruth.task binary-classification"},
      {"auc_roc for regression",
       R"([{"op":"replace","path":"/spec/groundTruth","value":{"task":"regression"}},{"op":"replace","path":"/spec/alerts/1/metric","value":"auc_roc"}])",
       {"spec.alerts", "classification metrics but spec.groundTruth.task is regression"},
       "spec.alerts[1].metric: auc_roc does not apply to spec.groundTruth.task regression"},
      {"auc_roc for multiclass",
       R"([{"op":"replace","path":"/spec/groundTruth","value":{"task":"multiclass-classification"}},{"op":"replace","path":"/spec/alerts/1/metric","value":"auc_roc"}])",
       {"spec.alerts", "work only for binary-classification"},
       "spec.alerts[1].metric: auc_roc does not apply to spec.groundTruth.task "
       "multiclass-classification"},
      {"retrain without jobTemplate",
       R"([{"op":"remove","path":"/spec/remediation/retrain"}])",
       {"spec.alerts", "action retrain need spec.remediation.retrain.jobTemplate"},
       "spec.alerts[2].action: retrain needs spec.remediation.retrain.jobTemplate"},
      {"jobTemplate without spec",
       R"([{"op":"remove","path":"/spec/remediation/retrain/jobTemplate/spec"}])",
       {"spec.remediation.retrain.jobTemplate.spec: Required value"},
       "spec.remediation.retrain.jobTemplate.spec: required"},
      {"emaAlpha of 1",
       R"([{"op":"add","path":"/spec/alerts/0/smoothing","value":{"emaAlpha":1}}])",
       {"spec.alerts[0].smoothing.emaAlpha", "should be less than 1"},
       "spec.alerts[0].smoothing.emaAlpha: 1 is out of range"},
      {"cooldown in words",
       R"([{"op":"replace","path":"/spec/remediation/cooldown","value":"soon"}])",
       {"spec.remediation.cooldown", "\"soon\" is not a duration (use 30s, 5m, 1h)"},
       "spec.remediation.cooldown: \"soon\" is not a duration"},
      {"negative daily budget",
       R"([{"op":"add","path":"/spec/remediation/maxActionsPerDay","value":-1}])",
       {"spec.remediation.maxActionsPerDay", "should be greater than or equal to 0"},
       "spec.remediation.maxActionsPerDay: -1 is out of range (use 0 to 100)"},
      {"misspelt field",
       R"([{"op":"move","from":"/spec/alerts","path":"/spec/alert"}])",
       {"unknown field \"spec.alert\""},
       "spec.alert: unknown field"},
  };
}

}  // namespace mm::testing
