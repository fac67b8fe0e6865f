// ParseModelMonitorSpec and ParseModelMonitor: the spec's schema and cross-field rules, in the
// same terms as the CRD (crds/modelmonitor.io_modelmonitors.yaml). Each check here has its twin
// there; tests/support/invalid_model_monitors.h holds cases both must reject.
#include <algorithm>
#include <chrono>
#include <sstream>

#include "common/api/field_reader.h"
#include "common/api/model_monitor.h"
#include "common/api/sidecar_monitor_config.h"

namespace mm::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr Duration kMaxDuration = 720h;

bool IsPortName(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  return FieldReader::IsDnsName(s, false);
}

bool IsHeaderToken(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+.^_`|~-";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

constexpr size_t kMaxJobTemplateDepth = 64;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

class SpecParser {
 public:
  explicit SpecParser(FieldReader& r) : r_(r) {}

  ModelMonitorSpec Parse(const json& spec, const std::string& path) {
    ModelMonitorSpec out;
    if (!r_.IsObject(
            spec, path,
            {"selector", "target", "serving", "sidecar", "groundTruth", "alerts", "remediation"})) {
      return out;
    }
    if (const json* v = r_.Field(spec, path, "selector", true)) {
      out.selector = Selector(*v, FieldReader::Child(path, "selector"));
    }
    if (const json* v = r_.Field(spec, path, "target", true)) {
      out.target = Target(*v, FieldReader::Child(path, "target"));
    }
    if (const json* v = r_.Field(spec, path, "serving")) {
      out.serving = Serving(*v, FieldReader::Child(path, "serving"));
    }
    if (const json* v = r_.Field(spec, path, "sidecar")) {
      out.sidecar = Sidecar(*v, FieldReader::Child(path, "sidecar"));
    }
    if (const json* v = r_.Field(spec, path, "groundTruth")) {
      out.ground_truth = GroundTruth(*v, FieldReader::Child(path, "groundTruth"));
    }
    if (const json* v = r_.Field(spec, path, "remediation")) {
      out.remediation = Remediation(*v, FieldReader::Child(path, "remediation"));
    }
    if (const json* v = r_.Field(spec, path, "alerts")) {
      out.alerts = Alerts(*v, FieldReader::Child(path, "alerts"));
      CheckAlertsAgainstSpec(out, FieldReader::Child(path, "alerts"));
    }
    return out;
  }

  // The injected form of common/api/sidecar_monitor_config.h; field paths as in the spec.
  SidecarMonitorConfig SidecarConfig(const json& v) {
    SidecarMonitorConfig out;
    if (!r_.IsObject(v, "", {"monitor", "serving", "sidecar", "groundTruth"})) return out;
    if (const json* m = r_.Field(v, "", "monitor", true)) {
      if (r_.IsObject(*m, "monitor", {"namespace", "name", "uid", "generation"})) {
        out.monitor.namespace_name = r_.String(*m, "monitor", "namespace", false, 63).value_or("");
        out.monitor.name = r_.String(*m, "monitor", "name", true, 253, 1).value_or("");
        out.monitor.uid = r_.String(*m, "monitor", "uid", false, 64).value_or("");
        out.monitor.generation = r_.Integer(*m, "monitor", "generation", false, 0).value_or(0);
      }
    }
    if (const json* s = r_.Field(v, "", "serving")) out.serving = Serving(*s, "spec.serving");
    if (const json* s = r_.Field(v, "", "sidecar")) {
      const SidecarSpec sidecar = Sidecar(*s, "spec.sidecar");
      out.sample_rate = sidecar.sample_rate;
      out.max_body_bytes = sidecar.max_body_bytes;
    }
    if (const json* g = r_.Field(v, "", "groundTruth")) {
      out.ground_truth = GroundTruth(*g, "spec.groundTruth");
    }
    return out;
  }

 private:
  LabelSelector Selector(const json& v, const std::string& path) {
    LabelSelector out;
    if (!r_.IsObject(v, path, {"matchLabels", "matchExpressions"})) return out;
    if (const json* labels = r_.Field(v, path, "matchLabels")) {
      const std::string lpath = FieldReader::Child(path, "matchLabels");
      if (r_.IsObject(*labels, lpath)) {
        if (labels->size() > 32) r_.Fail(lpath, "has more than 32 labels");
        for (const auto& [key, unused] : labels->items()) {
          if (auto value = r_.String(*labels, lpath, key, true, 63)) {
            out.match_labels[key] = *value;
          }
        }
      }
    }
    if (const json* exprs = r_.Field(v, path, "matchExpressions")) {
      const std::string epath = FieldReader::Child(path, "matchExpressions");
      if (!exprs->is_array()) {
        r_.Fail(epath, "must be a list, not " + JsonTypeName(*exprs));
      } else if (exprs->size() > 16) {
        r_.Fail(epath, "has more than 16 requirements");
      } else {
        for (size_t i = 0; i < exprs->size(); ++i) {
          out.match_expressions.push_back(Requirement((*exprs)[i], FieldReader::Index(epath, i)));
        }
      }
    }
    const json* labels = r_.Field(v, path, "matchLabels");
    const json* exprs = r_.Field(v, path, "matchExpressions");
    if ((!labels || labels->empty()) && (!exprs || exprs->empty())) {
      r_.Fail(path,
              "must select something (set matchLabels or matchExpressions): an empty selector "
              "would inject every pod of the namespace");
    }
    return out;
  }

  LabelSelectorRequirement Requirement(const json& v, const std::string& path) {
    LabelSelectorRequirement out;
    if (!r_.IsObject(v, path, {"key", "operator", "values"})) return out;
    out.key = r_.String(v, path, "key", true, 317, 1).value_or("");
    out.op = r_.Enum<SelectorOperator>(v, path, "operator", true).value_or(SelectorOperator::kIn);
    if (const json* values = r_.Field(v, path, "values")) {
      const std::string vpath = FieldReader::Child(path, "values");
      if (!values->is_array() || values->size() > 64) {
        r_.Fail(vpath, "must be a list of at most 64 strings");
      } else {
        for (size_t i = 0; i < values->size(); ++i) {
          const json& item = (*values)[i];
          if (!item.is_string() || item.get_ref<const std::string&>().size() > 63) {
            r_.Fail(FieldReader::Index(vpath, i), "must be a string of at most 63 characters");
          } else {
            out.values.push_back(item.get<std::string>());
          }
        }
      }
    }
    const bool takes_values = out.op == SelectorOperator::kIn || out.op == SelectorOperator::kNotIn;
    if (takes_values && out.values.empty()) {
      r_.Fail(FieldReader::Child(path, "values"), "operators In and NotIn need values");
    } else if (!takes_values && !out.values.empty()) {
      r_.Fail(FieldReader::Child(path, "values"), "operators Exists and DoesNotExist take none");
    }
    return out;
  }

  TargetRef Target(const json& v, const std::string& path) {
    TargetRef out;
    if (!r_.IsObject(v, path, {"kind", "name"})) return out;
    if (auto kind = r_.String(v, path, "kind", false, 64)) {
      if (*kind != defaults::kTargetKind) {
        r_.Fail(FieldReader::Child(path, "kind"), Quote(*kind) + " is not one of \"Deployment\"");
      }
    }
    if (auto name = r_.String(v, path, "name", true, 253, 1)) {
      if (!FieldReader::IsDnsName(*name, true)) {
        r_.Fail(FieldReader::Child(path, "name"),
                Quote(*name) + " is not a Kubernetes name (lowercase letters, digits, '-', '.')");
      }
      out.name = *name;
    }
    return out;
  }

  ServingSpec Serving(const json& v, const std::string& path) {
    ServingSpec out;
    if (!r_.IsObject(v, path, {"port", "protocol", "outputPath", "requestIdHeader"})) return out;
    if (const json* port = r_.Field(v, path, "port")) {
      const std::string ppath = FieldReader::Child(path, "port");
      const char* kRight =
          "must be a port number from 1 to 65535 or a port name (up to 15 lowercase letters, "
          "digits and '-')";
      // int-or-string: the apiserver refuses 8080.0 here (it does take 1.0 for integers).
      if (port->is_number_integer()) {
        const std::optional<int64_t> n = AsInteger(*port);
        if (!n || *n < 1 || *n > 65535) {
          r_.Fail(ppath, port->dump() + ": " + kRight);
        } else {
          out.port = PortRef{"", static_cast<int>(*n)};
        }
      } else if (port->is_string() && IsPortName(port->get_ref<const std::string&>())) {
        out.port = PortRef{port->get<std::string>(), 0};
      } else {
        r_.Fail(ppath, (port->is_string() ? Quote(port->get<std::string>()) : JsonTypeName(*port)) +
                           ": " + kRight);
      }
    }
    out.protocol = r_.Enum<Protocol>(v, path, "protocol", false).value_or(defaults::kProtocol);
    auto output_path = r_.String(v, path, "outputPath", false, 256, 1);
    if (output_path && output_path->front() != '$') {
      r_.Fail(FieldReader::Child(path, "outputPath"),
              Quote(*output_path) + " is not a JSONPath (start with $, like $.predictions)");
    }
    if (output_path && out.protocol != Protocol::kJson) {
      r_.Fail(FieldReader::Child(path, "outputPath"),
              "is used only with protocol json; the other protocols say where predictions are");
    }
    out.output_path = out.protocol == Protocol::kJson
                          ? output_path.value_or(std::string(defaults::kJsonOutputPath))
                          : "";
    if (auto header = r_.String(v, path, "requestIdHeader", false, 64, 1)) {
      if (!IsHeaderToken(*header)) {
        r_.Fail(FieldReader::Child(path, "requestIdHeader"),
                Quote(*header) + " is not an HTTP header name");
      }
      out.request_id_header = *header;
    }
    return out;
  }

  std::map<std::string, Quantity> Quantities(const json& v, const std::string& path) {
    std::map<std::string, Quantity> out;
    if (!r_.IsObject(v, path)) return out;
    if (v.size() > 8) r_.Fail(path, "has more than 8 resources");
    for (const auto& [name, value] : v.items()) {
      const std::string qpath = FieldReader::Child(path, name);
      if (value.is_number_integer()) {  // int-or-string: no floats, not even 2.0
        const std::optional<int64_t> n = AsInteger(value);
        if (!n) {
          r_.Fail(qpath, value.dump() +
                             " must be an integer or a quantity string such as "
                             "\"500m\"");
        } else if (*n < 0) {
          r_.Fail(qpath, "must not be negative");
        } else {
          out[name] = Quantity{std::to_string(*n), static_cast<double>(*n)};
        }
      } else if (value.is_string()) {
        auto q = ParseQuantity(value.get<std::string>());
        if (q) {
          out[name] = *q;
        } else {
          r_.Fail(qpath, q.error().message);
        }
      } else {
        r_.Fail(qpath, "must be a quantity string such as \"100m\" or \"64Mi\", not " +
                           JsonTypeName(value));
      }
    }
    return out;
  }

  SidecarSpec Sidecar(const json& v, const std::string& path) {
    SidecarSpec out;
    if (!r_.IsObject(v, path, {"image", "resources", "sampleRate", "maxBodyBytes"})) return out;
    out.image = r_.String(v, path, "image", false, 512).value_or("");
    if (const json* res = r_.Field(v, path, "resources")) {
      const std::string rpath = FieldReader::Child(path, "resources");
      if (r_.IsObject(*res, rpath, {"requests", "limits"})) {
        if (const json* q = r_.Field(*res, rpath, "requests")) {
          out.resources.requests = Quantities(*q, FieldReader::Child(rpath, "requests"));
        }
        if (const json* q = r_.Field(*res, rpath, "limits")) {
          out.resources.limits = Quantities(*q, FieldReader::Child(rpath, "limits"));
        }
      }
    }
    out.sample_rate = r_.Number(v, path, "sampleRate", false, 0, 1).value_or(defaults::kSampleRate);
    out.max_body_bytes = r_.Integer(v, path, "maxBodyBytes", false, 1024, 64 << 20)
                             .value_or(defaults::kMaxBodyBytes);
    return out;
  }

  GroundTruthSpec GroundTruth(const json& v, const std::string& path) {
    GroundTruthSpec out;
    if (!r_.IsObject(v, path,
                     {"task", "positiveClass", "threshold", "maxLabelDelay", "maxPending"})) {
      return out;
    }
    auto task = r_.Enum<Task>(v, path, "task", true);
    out.task = task.value_or(Task::kBinaryClassification);
    auto positive = r_.String(v, path, "positiveClass", false, 128, 1);
    auto threshold = r_.Number(v, path, "threshold", false, 0, 1);
    if (task == Task::kBinaryClassification && !positive && !r_.Field(v, path, "positiveClass")) {
      r_.Fail(FieldReader::Child(path, "positiveClass"),
              "is required for binary-classification: the label value that counts as positive, "
              "e.g. \"1\" or \"fraud\"");
    }
    if (task && task != Task::kBinaryClassification) {
      if (r_.Field(v, path, "positiveClass")) {
        r_.Fail(FieldReader::Child(path, "positiveClass"), "is only for binary-classification");
      }
      if (r_.Field(v, path, "threshold")) {
        r_.Fail(FieldReader::Child(path, "threshold"),
                "is only for binary-classification (it turns a score into a class)");
      }
    }
    out.positive_class = positive.value_or("");
    out.threshold = threshold.value_or(defaults::kBinaryThreshold);
    out.max_label_delay = r_.DurationField(v, path, "maxLabelDelay", false, 1s, kMaxDuration)
                              .value_or(defaults::kMaxLabelDelay);
    out.max_pending =
        r_.Integer(v, path, "maxPending", false, 1, 100'000'000).value_or(defaults::kMaxPending);
    return out;
  }

  RemediationSpec Remediation(const json& v, const std::string& path) {
    RemediationSpec out;
    if (!r_.IsObject(v, path, {"cooldown", "maxActionsPerDay", "dryRun", "rollback", "retrain"})) {
      return out;
    }
    out.cooldown = r_.DurationField(v, path, "cooldown", false, 0s, kMaxDuration)
                       .value_or(defaults::kCooldown);
    out.max_actions_per_day =
        static_cast<int>(r_.Integer(v, path, "maxActionsPerDay", false, 0, 100)
                             .value_or(defaults::kMaxActionsPerDay));
    out.dry_run = r_.Bool(v, path, "dryRun", false).value_or(false);
    if (const json* rollback = r_.Field(v, path, "rollback")) {
      const std::string rpath = FieldReader::Child(path, "rollback");
      if (r_.IsObject(*rollback, rpath, {"toRevision"})) {
        out.rollback_to_revision = r_.Integer(*rollback, rpath, "toRevision", false, 0)
                                       .value_or(defaults::kRollbackToRevision);
      }
    }
    if (const json* retrain = r_.Field(v, path, "retrain")) {
      const std::string rpath = FieldReader::Child(path, "retrain");
      if (r_.IsObject(*retrain, rpath, {"jobTemplate"})) {
        if (const json* tmpl = r_.Field(*retrain, rpath, "jobTemplate", true)) {
          out.retrain_job_template = JobTemplate(*tmpl, FieldReader::Child(rpath, "jobTemplate"));
        }
      }
    }
    return out;
  }

  // Kept as JSON (the operator creates Jobs from it); only its shape is checked here, the
  // apiserver validates the Job itself when it is created. Its depth is bounded so that
  // copying and comparing it (both recursive) stay cheap.
  json JobTemplate(const json& v, const std::string& path) {
    if (!r_.IsObject(v, path)) return json::object();
    if (JsonDeeperThan(v, kMaxJobTemplateDepth)) {
      r_.Fail(path, "is nested more than " + std::to_string(kMaxJobTemplateDepth) +
                        " levels deep (a Job template needs far fewer)");
      return json::object();
    }
    if (const json* meta = r_.Field(v, path, "metadata")) {
      r_.IsObject(*meta, FieldReader::Child(path, "metadata"));
    }
    if (const json* spec = r_.Field(v, path, "spec", true)) {
      const std::string spath = FieldReader::Child(path, "spec");
      if (r_.IsObject(*spec, spath)) {
        if (const json* tmpl = r_.Field(*spec, spath, "template", true)) {
          r_.IsObject(*tmpl, FieldReader::Child(spath, "template"));
        }
      }
    }
    return v;
  }

  std::vector<AlertRule> Alerts(const json& v, const std::string& path) {
    std::vector<AlertRule> out;
    if (!v.is_array()) {
      r_.Fail(path, "must be a list, not " + JsonTypeName(v));
      return out;
    }
    if (v.size() > kMaxAlerts) {
      r_.Fail(path, "has " + std::to_string(v.size()) + " alerts (at most " +
                        std::to_string(kMaxAlerts) + ")");
      return out;
    }
    for (size_t i = 0; i < v.size(); ++i) out.push_back(Alert(v[i], FieldReader::Index(path, i)));
    for (size_t i = 0; i < out.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (!out[i].name.empty() && out[i].name == out[j].name) {
          r_.Fail(FieldReader::Child(FieldReader::Index(path, i), "name"),
                  Quote(out[i].name) + " is also the name of alerts[" + std::to_string(j) +
                      "] (alert names must be unique)");
          break;
        }
      }
    }
    return out;
  }

  AlertRule Alert(const json& v, const std::string& path) {
    AlertRule out;
    if (!r_.IsObject(v, path,
                     {"name", "metric", "op", "threshold", "window", "for", "minSamples",
                      "smoothing", "confidence", "severity", "action"})) {
      return out;
    }
    if (auto name = r_.String(v, path, "name", true, 40, 1)) {
      if (!FieldReader::IsDnsName(*name, false)) {
        r_.Fail(FieldReader::Child(path, "name"),
                Quote(*name) + " is not a DNS label (lowercase letters, digits and '-')");
      }
      out.name = *name;
    }
    std::optional<Metric> metric;
    if (auto name = r_.String(v, path, "metric", true, 64)) {
      metric = MetricFromName(*name);
      if (!metric) {
        std::string all;
        for (const MetricInfo& m : MetricCatalogue())
          all += (all.empty() ? "" : ", ") + std::string(m.name);
        r_.Fail(FieldReader::Child(path, "metric"),
                Quote(*name) + " is not a metric (use one of: " + all + ")");
      }
    }
    out.metric = metric.value_or(Metric::kLatencyP99Seconds);
    out.op = r_.Enum<ComparisonOp>(v, path, "op", true).value_or(ComparisonOp::kGreater);
    if (auto threshold = r_.Number(v, path, "threshold", true)) {
      out.threshold = *threshold;
      if (metric) {
        const MetricInfo& info = Describe(*metric);
        if (*threshold < info.min_threshold || *threshold > info.max_threshold) {
          std::ostringstream what;
          what << *threshold << " is out of range for " << info.name;
          if (info.unit == MetricUnit::kRatio) {
            what << ", a ratio: use a value from 0 to 1 (e.g. 0.05 for 5%)";
          } else if (info.min_threshold < 0) {
            what << ", which is at most " << info.max_threshold;
          } else {
            what << ", which is never negative";
          }
          r_.Fail(FieldReader::Child(path, "threshold"), what.str());
        }
      }
    }
    out.window =
        r_.DurationField(v, path, "window", false, 10s, kMaxDuration).value_or(defaults::kWindow);
    out.for_duration =
        r_.DurationField(v, path, "for", false, 0s, kMaxDuration).value_or(defaults::kFor);
    out.min_samples =
        r_.Integer(v, path, "minSamples", false, 1, 1'000'000'000).value_or(defaults::kMinSamples);
    if (const json* smoothing = r_.Field(v, path, "smoothing")) {
      const std::string spath = FieldReader::Child(path, "smoothing");
      if (r_.IsObject(*smoothing, spath, {"emaAlpha"})) {
        if (auto alpha = r_.Number(*smoothing, spath, "emaAlpha", true, 0, 1, true)) {
          out.smoothing = Smoothing{*alpha};
        }
      }
    }
    out.confidence = r_.Number(v, path, "confidence", false, 0.5, 1, true);
    if (out.confidence) {
      if (metric && !HasConfidenceInterval(*metric)) {
        r_.Fail(FieldReader::Child(path, "confidence"),
                std::string(Describe(*metric).name) +
                    " has no confidence interval (use confidence with one of: " +
                    MetricsWithConfidenceInterval() + ")");
      }
      if (out.smoothing) {
        r_.Fail(FieldReader::Child(path, "confidence"),
                "cannot be combined with smoothing (the bound is of one window's data; use a "
                "longer window instead of smoothing)");
      }
    }
    out.severity = r_.Enum<Severity>(v, path, "severity", false).value_or(defaults::kSeverity);
    out.action = r_.Enum<Action>(v, path, "action", false).value_or(defaults::kAction);
    return out;
  }

  // The rules that relate an alert to the rest of the spec: label metrics need groundTruth with
  // a task they apply to, and retrain needs a Job template.
  void CheckAlertsAgainstSpec(const ModelMonitorSpec& spec, const std::string& path) {
    for (size_t i = 0; i < spec.alerts.size(); ++i) {
      const AlertRule& alert = spec.alerts[i];
      const std::string apath = FieldReader::Index(path, i);
      const MetricInfo& info = Describe(alert.metric);
      if (info.needs_labels()) {
        if (!spec.ground_truth) {
          r_.Fail(FieldReader::Child(apath, "metric"),
                  std::string(info.name) +
                      " compares predictions with labels and needs spec.groundTruth (the task "
                      "and how labels join)");
        } else if (!info.AppliesTo(spec.ground_truth->task)) {
          const Task task = spec.ground_truth->task;
          r_.Fail(FieldReader::Child(apath, "metric"),
                  std::string(info.name) + " does not apply to spec.groundTruth.task " +
                      std::string(ToString(task)) + " (use one of: " + MetricsFor(task) + ")");
        }
      }
      if (alert.confidence && spec.ground_truth &&
          spec.ground_truth->task == Task::kMulticlassClassification &&
          (alert.metric == Metric::kPrecision || alert.metric == Metric::kRecall)) {
        r_.Fail(FieldReader::Child(apath, "confidence"),
                std::string(info.name) +
                    " of multiclass-classification is a macro average, which has no confidence "
                    "interval here (use accuracy, or a binary model's precision or recall)");
      }
      if (alert.action == Action::kRetrain && !spec.remediation.retrain_job_template) {
        r_.Fail(FieldReader::Child(apath, "action"),
                "retrain needs spec.remediation.retrain.jobTemplate (the Job that retrains the "
                "model)");
      }
    }
  }

  FieldReader& r_;
};

}  // namespace

Result<ModelMonitorSpec> ParseModelMonitorSpec(const json& spec) {
  FieldReader reader;
  ModelMonitorSpec out = SpecParser(reader).Parse(spec, "spec");
  if (!reader.ok()) return reader.ToError();
  return out;
}

ObjectMeta MetadataOf(const json& object) {
  ObjectMeta m;
  if (!object.is_object()) return m;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return m;
  auto text = [&](const char* key) {
    auto it = meta->find(key);
    return it != meta->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  m.name = text("name");
  m.namespace_name = text("namespace");
  m.uid = text("uid");
  m.resource_version = text("resourceVersion");
  m.creation_timestamp = text("creationTimestamp");
  if (auto g = meta->find("generation"); g != meta->end() && g->is_number_integer()) {
    m.generation = g->get<int64_t>();
  }
  return m;
}

Result<SidecarMonitorConfig> ParseSidecarMonitorConfig(const json& config) {
  if (config.is_object() && !config.contains("monitor")) {
    if (config.contains("spec")) {  // a whole ModelMonitor
      auto monitor = ParseModelMonitor(config);
      if (!monitor) return monitor.error();
      return SidecarConfigOf(monitor.value());
    }
    auto spec = ParseModelMonitorSpec(config);  // a bare spec
    if (!spec) return spec.error();
    ModelMonitor monitor;
    monitor.spec = std::move(spec).value();
    return SidecarConfigOf(monitor);
  }
  FieldReader reader;
  SidecarMonitorConfig out = SpecParser(reader).SidecarConfig(config);
  if (!reader.ok()) return reader.ToError();
  return out;
}

Result<ModelMonitor> ParseModelMonitor(const json& object) {
  FieldReader r;
  ModelMonitor out;
  if (!r.IsObject(object, "")) return r.ToError();
  if (auto v = r.String(object, "", "apiVersion", false, 64); v && *v != kApiVersion) {
    r.Fail("apiVersion", Quote(*v) + " is not " + Quote(kApiVersion));
  }
  if (auto v = r.String(object, "", "kind", false, 64); v && *v != kKind) {
    r.Fail("kind", Quote(*v) + " is not " + Quote(kKind));
  }
  if (const json* meta = r.Field(object, "", "metadata", true)) {
    if (r.IsObject(*meta, "metadata")) {
      out.metadata.name = r.String(*meta, "metadata", "name", true, 253, 1).value_or("");
      out.metadata.namespace_name =
          r.String(*meta, "metadata", "namespace", false, 63).value_or("");
      out.metadata.uid = r.String(*meta, "metadata", "uid", false, 64).value_or("");
      out.metadata.resource_version =
          r.String(*meta, "metadata", "resourceVersion", false, 64).value_or("");
      out.metadata.generation = r.Integer(*meta, "metadata", "generation", false, 0).value_or(0);
      out.metadata.creation_timestamp =
          r.String(*meta, "metadata", "creationTimestamp", false, 64).value_or("");
    }
  }
  if (const json* spec = r.Field(object, "", "spec", true)) {
    out.spec = SpecParser(r).Parse(*spec, "spec");
  }
  if (!r.ok()) return r.ToError();
  if (const json* status = r.Field(object, "", "status")) {
    auto parsed = ParseModelMonitorStatus(*status);
    if (!parsed) return parsed.error();
    out.status = std::move(parsed).value();
  }
  return out;
}

}  // namespace mm::api
