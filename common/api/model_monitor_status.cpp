// The status both ways: ToJson for the operator's writes to the status subresource, and
// ParseModelMonitorStatus for reading it back. Field names and limits are the CRD's.
#include <chrono>
#include <cmath>

#include "common/api/field_reader.h"
#include "common/api/model_monitor.h"
#include "common/rfc3339.h"

namespace mm::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class StatusParser {
 public:
  explicit StatusParser(FieldReader& r) : r_(r) {}

  ModelMonitorStatus Parse(const json& v, const std::string& path) {
    ModelMonitorStatus out;
    std::initializer_list<std::string_view> known = {
        "observedGeneration", "conditions", "pods",   "firingAlerts",
        "lastAction",         "metrics",    "alerts", "remediations",
        "externalAlerts"};
    if (!r_.IsObject(v, path, known)) return out;
    out.observed_generation = r_.Integer(v, path, "observedGeneration", false).value_or(0);
    out.firing_alerts =
        static_cast<int>(r_.Integer(v, path, "firingAlerts", false, 0, 1 << 30).value_or(0));
    out.last_action = r_.String(v, path, "lastAction", false, 256).value_or("");
    if (const json* pods = r_.Field(v, path, "pods")) {
      const std::string ppath = FieldReader::Child(path, "pods");
      if (r_.IsObject(*pods, ppath, {"matched", "injected"})) {
        out.pods.matched =
            static_cast<int>(r_.Integer(*pods, ppath, "matched", false, 0, 1 << 30).value_or(0));
        out.pods.injected =
            static_cast<int>(r_.Integer(*pods, ppath, "injected", false, 0, 1 << 30).value_or(0));
      }
    }
    ForEach(v, path, "conditions", 16, [&](const json& item, const std::string& ipath) {
      out.conditions.push_back(ConditionAt(item, ipath));
    });
    if (const json* metrics = r_.Field(v, path, "metrics")) {
      out.metrics = Metrics(*metrics, FieldReader::Child(path, "metrics"));
    }
    ForEach(v, path, "alerts", kMaxAlerts, [&](const json& item, const std::string& ipath) {
      out.alerts.push_back(Alert(item, ipath));
    });
    ForEach(v, path, "remediations", kMaxStoredRemediationRecords,
            [&](const json& item, const std::string& ipath) {
              out.remediations.push_back(Remediation(item, ipath));
            });
    ForEach(v, path, "externalAlerts", kMaxExternalAlerts,
            [&](const json& item, const std::string& ipath) {
              out.external_alerts.push_back(External(item, ipath));
            });
    return out;
  }

 private:
  template <typename F>
  void ForEach(const json& v, const std::string& path, std::string_view key, size_t max, F f) {
    const json* list = r_.Field(v, path, key);
    if (!list) return;
    const std::string lpath = FieldReader::Child(path, key);
    if (!list->is_array() || list->size() > max) {
      r_.Fail(lpath, "must be a list of at most " + std::to_string(max) + " items");
      return;
    }
    for (size_t i = 0; i < list->size(); ++i) f((*list)[i], FieldReader::Index(lpath, i));
  }

  std::string Time(const json& v, const std::string& path, std::string_view key, bool required) {
    auto t = r_.String(v, path, key, required, 64);
    if (!t) return "";
    if (!IsRfc3339(*t)) {
      r_.Fail(FieldReader::Child(path, key),
              "\"" + *t + "\" is not an RFC 3339 time (like 2026-11-22T04:00:00Z)");
    }
    return *t;
  }

  Condition ConditionAt(const json& v, const std::string& path) {
    Condition out;
    if (!r_.IsObject(
            v, path,
            {"type", "status", "observedGeneration", "lastTransitionTime", "reason", "message"})) {
      return out;
    }
    out.type = r_.String(v, path, "type", true, 316, 1).value_or("");
    if (auto s = r_.String(v, path, "status", true, 16)) {
      if (*s != "True" && *s != "False" && *s != "Unknown") {
        r_.Fail(FieldReader::Child(path, "status"),
                "\"" + *s + "\" is not one of \"True\", \"False\", \"Unknown\"");
      }
      out.status = *s;
    }
    out.observed_generation = r_.Integer(v, path, "observedGeneration", false, 0).value_or(0);
    out.last_transition_time = Time(v, path, "lastTransitionTime", true);
    out.reason = r_.String(v, path, "reason", true, 1024, 1).value_or("");
    out.message = r_.String(v, path, "message", true, 32768).value_or("");
    return out;
  }

  MetricsSnapshot Metrics(const json& v, const std::string& path) {
    MetricsSnapshot out;
    if (!r_.IsObject(v, path)) return out;
    for (const auto& [key, value] : v.items()) {
      if (key == "time") {
        out.time = Time(v, path, "time", false);
      } else if (key == "window") {
        out.window = r_.DurationField(v, path, "window", false, 0s, Duration::max()).value_or(0s);
      } else if (key == "samples") {
        out.samples = r_.Integer(v, path, "samples", false, 0).value_or(0);
      } else if (key == "labeledSamples") {
        out.labeled_samples = r_.Integer(v, path, "labeledSamples", false, 0).value_or(0);
      } else if (auto metric = MetricFromName(key)) {
        if (auto number = r_.Number(v, path, key, false)) out.values[*metric] = *number;
      } else {
        r_.Fail(FieldReader::Child(path, key), "unknown field (not a metric)");
      }
    }
    return out;
  }

  AlertStatus Alert(const json& v, const std::string& path) {
    AlertStatus out;
    if (!r_.IsObject(v, path,
                     {"name", "state", "value", "threshold", "lowerBound", "upperBound",
                      "smoothedValue", "samples", "since", "episodeSince", "message"})) {
      return out;
    }
    out.name = r_.String(v, path, "name", true, 40).value_or("");
    out.state = r_.Enum<AlertState>(v, path, "state", true).value_or(AlertState::kInactive);
    out.value = r_.Number(v, path, "value", false);
    out.threshold = r_.Number(v, path, "threshold", false);
    out.lower_bound = r_.Number(v, path, "lowerBound", false);
    out.upper_bound = r_.Number(v, path, "upperBound", false);
    out.smoothed_value = r_.Number(v, path, "smoothedValue", false);
    out.samples = r_.Integer(v, path, "samples", false, 0).value_or(0);
    out.since = Time(v, path, "since", false);
    out.episode_since = Time(v, path, "episodeSince", false);
    out.message = r_.String(v, path, "message", false, 1024).value_or("");
    return out;
  }

  RemediationRecord Remediation(const json& v, const std::string& path) {
    RemediationRecord out;
    if (!r_.IsObject(v, path,
                     {"time", "alert", "action", "result", "fromRevision", "toRevision", "job",
                      "value", "message"})) {
      return out;
    }
    out.time = Time(v, path, "time", true);
    out.alert = r_.String(v, path, "alert", true, 40).value_or("");
    out.action = r_.Enum<Action>(v, path, "action", true).value_or(Action::kRollback);
    out.result =
        r_.Enum<RemediationResult>(v, path, "result", true).value_or(RemediationResult::kStarted);
    out.from_revision = r_.Integer(v, path, "fromRevision", false);
    out.to_revision = r_.Integer(v, path, "toRevision", false);
    out.job = r_.String(v, path, "job", false, 253).value_or("");
    out.value = r_.Number(v, path, "value", false);
    out.message = r_.String(v, path, "message", false, 1024).value_or("");
    return out;
  }

  ExternalAlert External(const json& v, const std::string& path) {
    ExternalAlert out;
    if (!r_.IsObject(
            v, path,
            {"name", "state", "since", "ends", "fingerprint", "value", "received", "message"})) {
      return out;
    }
    out.name = r_.String(v, path, "name", true, 40).value_or("");
    if (auto s = r_.String(v, path, "state", true, 16)) {
      if (*s != "Firing" && *s != "Resolved") {
        r_.Fail(FieldReader::Child(path, "state"),
                "\"" + *s + "\" is not one of \"Firing\", \"Resolved\"");
      }
      out.firing = *s == "Firing";
    }
    out.since = Time(v, path, "since", true);
    out.ends = Time(v, path, "ends", false);
    out.fingerprint = r_.String(v, path, "fingerprint", false, 64).value_or("");
    out.value = r_.Number(v, path, "value", false);
    out.received = Time(v, path, "received", true);
    out.message = r_.String(v, path, "message", false, 1024).value_or("");
    return out;
  }

  FieldReader& r_;
};

void SetIfNotEmpty(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

}  // namespace

Result<ModelMonitorStatus> ParseModelMonitorStatus(const json& status) {
  FieldReader reader;
  ModelMonitorStatus out = StatusParser(reader).Parse(status, "status");
  if (!reader.ok()) return reader.ToError();
  return out;
}

json ToJson(const std::vector<ExternalAlert>& alerts) {
  json out = json::array();
  for (const auto& a : alerts) {
    json item = {{"name", a.name},
                 {"state", a.firing ? "Firing" : "Resolved"},
                 {"since", a.since},
                 {"received", a.received}};
    SetIfNotEmpty(item, "ends", a.ends);
    SetIfNotEmpty(item, "fingerprint", a.fingerprint);
    if (a.value) item["value"] = *a.value;
    SetIfNotEmpty(item, "message", a.message);
    out.push_back(std::move(item));
  }
  return out;
}

json ToJson(const ModelMonitorStatus& status) {
  json out = json::object();
  out["observedGeneration"] = status.observed_generation;
  out["pods"] = {{"matched", status.pods.matched}, {"injected", status.pods.injected}};
  out["firingAlerts"] = status.firing_alerts;
  SetIfNotEmpty(out, "lastAction", status.last_action);
  if (!status.conditions.empty()) {
    json conditions = json::array();
    for (const auto& c : status.conditions) {
      json item = {{"type", c.type},
                   {"status", c.status},
                   {"observedGeneration", c.observed_generation},
                   {"lastTransitionTime", c.last_transition_time},
                   {"reason", c.reason},
                   {"message", c.message}};
      conditions.push_back(std::move(item));
    }
    out["conditions"] = std::move(conditions);
  }
  if (status.metrics) {
    const MetricsSnapshot& m = *status.metrics;
    json metrics = {{"window", FormatDuration(m.window)},
                    {"samples", m.samples},
                    {"labeledSamples", m.labeled_samples}};
    SetIfNotEmpty(metrics, "time", m.time);
    for (const auto& [metric, value] : m.values) metrics[std::string(ToString(metric))] = value;
    out["metrics"] = std::move(metrics);
  }
  if (!status.alerts.empty()) {
    json alerts = json::array();
    for (const auto& a : status.alerts) {
      json item = {{"name", a.name}, {"state", ToString(a.state)}, {"samples", a.samples}};
      if (a.value) item["value"] = *a.value;
      if (a.threshold) item["threshold"] = *a.threshold;
      // JSON has no infinity: an unbounded side is left out.
      if (a.lower_bound && std::isfinite(*a.lower_bound)) item["lowerBound"] = *a.lower_bound;
      if (a.upper_bound && std::isfinite(*a.upper_bound)) item["upperBound"] = *a.upper_bound;
      // nlohmann/json writes a double with the digits that read it back exactly.
      if (a.smoothed_value && std::isfinite(*a.smoothed_value)) {
        item["smoothedValue"] = *a.smoothed_value;
      }
      SetIfNotEmpty(item, "since", a.since);
      SetIfNotEmpty(item, "episodeSince", a.episode_since);
      SetIfNotEmpty(item, "message", a.message);
      alerts.push_back(std::move(item));
    }
    out["alerts"] = std::move(alerts);
  }
  if (!status.remediations.empty()) {
    json records = json::array();
    for (const auto& r : status.remediations) {
      json item = {{"time", r.time},
                   {"alert", r.alert},
                   {"action", ToString(r.action)},
                   {"result", ToString(r.result)}};
      if (r.from_revision) item["fromRevision"] = *r.from_revision;
      if (r.to_revision) item["toRevision"] = *r.to_revision;
      SetIfNotEmpty(item, "job", r.job);
      if (r.value) item["value"] = *r.value;
      SetIfNotEmpty(item, "message", r.message);
      records.push_back(std::move(item));
    }
    out["remediations"] = std::move(records);
  }
  if (!status.external_alerts.empty()) out["externalAlerts"] = ToJson(status.external_alerts);
  return out;
}

}  // namespace mm::api
