#include "operator/alerts/alertmanager_payload.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace mm::op {
namespace {

using nlohmann::json;

constexpr char kExample[] =
    R"(send Alertmanager's webhook payload: {"version": "4", "alerts": [{"status": "firing", )"
    R"("labels": {...}, "startsAt": "..."}]})";

Result<std::map<std::string, std::string>> StringMap(const json& alert, const char* key,
                                                     const std::string& path) {
  std::map<std::string, std::string> out;
  const auto it = alert.find(key);
  if (it == alert.end() || it->is_null()) return out;
  if (!it->is_object()) return Error{path + "." + key + ": must be an object of strings"};
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return Error{path + "." + key + "." + k + ": must be a string, not " + v.type_name()};
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<std::optional<SystemTime>> TimeAt(const json& alert, const char* key,
                                         const std::string& path, bool required) {
  const auto it = alert.find(key);
  if (it == alert.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
    if (required) return Error{path + "." + key + ": missing (an RFC 3339 time)"};
    return std::optional<SystemTime>{};
  }
  if (!it->is_string()) return Error{path + "." + key + ": must be an RFC 3339 time string"};
  const std::string text = it->get<std::string>();
  // Alertmanager writes Go's zero time (0001-01-01T00:00:00Z) for "not set".
  if (text.rfind("0001-01-01T00:00:00", 0) == 0) {
    if (required) return Error{path + "." + key + ": \"" + text + "\" is not a time that was set"};
    return std::optional<SystemTime>{};
  }
  const auto t = ParseRfc3339(text);
  if (!t) {
    return Error{path + "." + key + ": \"" + text.substr(0, 64) +
                 "\" is not an RFC 3339 time (like 2026-11-22T04:00:00Z)"};
  }
  if (*t <= SystemTime{}) {  // before 1970: no alert started or ended then
    if (required) return Error{path + "." + key + ": \"" + text + "\" is not a time that was set"};
    return std::optional<SystemTime>{};
  }
  return std::optional<SystemTime>{*t};
}

}  // namespace

Result<AlertmanagerNotification> ParseAlertmanagerPayload(std::string_view body,
                                                          size_t max_alerts) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{std::string("body: not valid JSON; ") + kExample};
  if (!doc.is_object()) return Error{std::string("body: must be a JSON object; ") + kExample};
  AlertmanagerNotification out;
  if (const auto v = doc.find("version"); v != doc.end()) {
    if (!v->is_string() || v->get<std::string>() != "4") {
      return Error{"body.version: " + v->dump().substr(0, 32) +
                   " is not supported (Alertmanager's webhook payload is version \"4\")"};
    }
  }
  if (const auto r = doc.find("receiver"); r != doc.end() && r->is_string()) {
    out.receiver = r->get<std::string>();
  }
  const auto alerts = doc.find("alerts");
  if (alerts == doc.end()) return Error{std::string("body.alerts: missing; ") + kExample};
  if (!alerts->is_array()) return Error{"body.alerts: must be an array"};
  if (alerts->size() > max_alerts) {
    return Error{"body.alerts: " + std::to_string(alerts->size()) + " alerts, more than " +
                 std::to_string(max_alerts) + " (set max_alerts in Alertmanager's webhook_config)"};
  }
  for (size_t i = 0; i < alerts->size(); ++i) {
    const json& a = (*alerts)[i];
    const std::string path = "body.alerts[" + std::to_string(i) + "]";
    if (!a.is_object()) return Error{path + ": must be an object"};
    AlertmanagerAlert alert;
    const auto status = a.find("status");
    if (status == a.end() || !status->is_string()) {
      return Error{path + ".status: missing (\"firing\" or \"resolved\")"};
    }
    const std::string s = status->get<std::string>();
    if (s != "firing" && s != "resolved") {
      return Error{path + ".status: \"" + s.substr(0, 32) +
                   "\" is not one of \"firing\", \"resolved\""};
    }
    alert.firing = s == "firing";
    auto labels = StringMap(a, "labels", path);
    if (!labels) return labels.error();
    alert.labels = std::move(labels).value();
    auto annotations = StringMap(a, "annotations", path);
    if (!annotations) return annotations.error();
    alert.annotations = std::move(annotations).value();
    auto starts = TimeAt(a, "startsAt", path, true);
    if (!starts) return starts.error();
    alert.starts_at = **starts;
    auto ends = TimeAt(a, "endsAt", path, false);
    if (!ends) return ends.error();
    alert.ends_at = *ends;
    if (const auto f = a.find("fingerprint"); f != a.end()) {
      if (!f->is_string()) return Error{path + ".fingerprint: must be a string"};
      alert.fingerprint = f->get<std::string>().substr(0, 64);
    }
    out.alerts.push_back(std::move(alert));
  }
  return out;
}

Result<AlertTarget> TargetOf(const AlertmanagerAlert& alert) {
  auto label = [&](const char* key) {
    const auto it = alert.labels.find(key);
    return it == alert.labels.end() ? std::string() : it->second;
  };
  AlertTarget t{label("namespace"), label("modelmonitor"), label("modelmonitor_alert")};
  if (t.alert.empty()) t.alert = label("alertname");
  if (t.monitor.empty()) return Error{"no modelmonitor label (the ModelMonitor's name)"};
  if (t.ns.empty()) return Error{"no namespace label (the ModelMonitor's namespace)"};
  if (t.alert.empty()) {
    return Error{"no modelmonitor_alert or alertname label (an alert of spec.alerts)"};
  }
  return t;
}

api::ExternalAlert ToExternalAlert(const AlertmanagerAlert& alert, const std::string& name,
                                   SystemTime received) {
  api::ExternalAlert out;
  out.name = name;
  out.firing = alert.firing;
  out.since = FormatRfc3339(alert.starts_at);
  if (alert.ends_at) out.ends = FormatRfc3339(*alert.ends_at);
  out.fingerprint = alert.fingerprint;
  out.received = FormatRfc3339(received);
  if (const auto it = alert.annotations.find("value"); it != alert.annotations.end()) {
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (!it->second.empty() && end == it->second.c_str() + it->second.size() && std::isfinite(v)) {
      out.value = v;
    }
  }
  for (const char* key : {"summary", "description", "message"}) {
    if (const auto it = alert.annotations.find(key); it != alert.annotations.end()) {
      out.message = it->second.substr(0, 1024);
      break;
    }
  }
  return out;
}

std::vector<api::ExternalAlert> MergeExternalAlert(std::vector<api::ExternalAlert> current,
                                                   const api::ExternalAlert& incoming,
                                                   const std::vector<std::string>& known) {
  std::erase_if(current, [&](const api::ExternalAlert& a) {
    return std::find(known.begin(), known.end(), a.name) == known.end();
  });
  for (auto& a : current) {
    if (a.name != incoming.name) continue;
    const bool late_duplicate = incoming.firing && !a.firing && a.since == incoming.since;
    if (!late_duplicate) a = incoming;
    return current;
  }
  if (current.size() < api::kMaxExternalAlerts) current.push_back(incoming);
  return current;
}

}  // namespace mm::op
