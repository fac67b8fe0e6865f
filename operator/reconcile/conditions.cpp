#include "operator/reconcile/conditions.h"

#include <ctime>

namespace mm::op {
namespace {

constexpr size_t kNamesInMessage = 5;

std::string PodList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesInMessage; ++i) {
    out += (i ? ", " : "") + names[i];
  }
  if (names.size() > kNamesInMessage) {
    out += " and " + std::to_string(names.size() - kNamesInMessage) + " more";
  }
  return out;
}

// The matched pods left alone on purpose, e.g. "; not injected by choice: 1 opted out".
std::string Skipped(const Observation& o) {
  std::string out;
  auto add = [&](int n, const char* what) {
    if (n > 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(o.opted_out, "opted out (modelmonitor.io/inject: \"false\")");
  add(o.host_network, "on the host network");
  add(o.other_monitor, "injected by another ModelMonitor");
  return out.empty() ? "" : "; left alone on purpose: " + out;
}

}  // namespace

nlohmann::json Condition::ToJson() const {
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"observedGeneration", observed_generation},
          {"lastTransitionTime", last_transition_time}};
}

std::vector<Condition> ComputeConditions(const Observation& o) {
  Condition ready{"Ready", "True", reason::kReconciled, "", o.generation, ""};
  Condition injected{"Injected", "True", reason::kAllPodsInjected, "", o.generation, ""};
  Condition degraded{"Degraded", "False", reason::kAsExpected, "", o.generation, ""};

  if (!o.spec_error.empty()) {
    ready = {"Ready", "False", reason::kInvalidSpec, o.spec_error, o.generation, ""};
    injected = {"Injected",           "Unknown",
                reason::kInvalidSpec, "no pods are selected while the spec is invalid",
                o.generation,         ""};
    degraded = {"Degraded", "True", reason::kInvalidSpec, o.spec_error, o.generation, ""};
    return {ready, injected, degraded};
  }

  const std::string pods_text = "pods matching \"" + o.selector + "\" in namespace " + o.ns;
  if (o.matched == 0) {
    injected.status = "False";
    injected.reason = reason::kNoPodsMatched;
    injected.message = "no " + pods_text;
  } else if (!o.not_injected.empty()) {
    injected.status = "False";
    injected.reason = reason::kPodsNotInjected;
    injected.message = std::to_string(o.injected) + " of " + std::to_string(o.matched) + " " +
                       pods_text + " carry the sidecar; " + std::to_string(o.not_injected.size()) +
                       " missed by the webhook: " + PodList(o.not_injected) +
                       " (created while the webhook was unavailable? recreate them)" + Skipped(o);
  } else if (o.injected == o.matched) {
    injected.message = "all " + std::to_string(o.matched) + " " + pods_text + " carry the sidecar";
  } else {
    injected.message = std::to_string(o.injected) + " of " + std::to_string(o.matched) + " " +
                       pods_text + " carry the sidecar" + Skipped(o);
  }

  const bool target_missing = !o.target_name.empty() && !o.target_found;
  if (target_missing) {
    degraded.status = "True";
    degraded.reason = reason::kTargetNotFound;
    degraded.message = "spec.target " + o.target_kind + " " + o.ns + "/" + o.target_name +
                       " does not exist; remediation has nothing to act on";
  } else if (!o.not_injected.empty()) {
    degraded.status = "True";
    degraded.reason = reason::kPodsNotInjected;
    degraded.message = injected.message;
  } else {
    degraded.message = "nothing is degraded";
  }

  if (target_missing) {
    ready.status = "False";
    ready.reason = degraded.reason;
    ready.message = degraded.message;
  } else if (injected.status != "True") {
    ready.status = "False";
    ready.reason = injected.reason;
    ready.message = injected.message;
  } else {
    ready.message = "monitoring " + std::to_string(o.matched) + " " + pods_text;
  }
  return {ready, injected, degraded};
}

std::vector<Condition> ConditionsOf(const nlohmann::json& status) {
  std::vector<Condition> out;
  if (!status.is_object()) return out;
  auto it = status.find("conditions");
  if (it == status.end() || !it->is_array()) return out;
  for (const auto& c : *it) {
    if (!c.is_object()) continue;
    Condition cond;
    cond.type = c.value("type", "");
    cond.status = c.value("status", "");
    cond.reason = c.value("reason", "");
    cond.message = c.value("message", "");
    if (auto g = c.find("observedGeneration"); g != c.end() && g->is_number_integer()) {
      cond.observed_generation = g->get<int64_t>();
    }
    cond.last_transition_time = c.value("lastTransitionTime", "");
    out.push_back(std::move(cond));
  }
  return out;
}

nlohmann::json DesiredStatus(const nlohmann::json& current, const Observation& o,
                             const std::string& now) {
  nlohmann::json status = current.is_object() ? current : nlohmann::json::object();
  const std::vector<Condition> old = ConditionsOf(status);
  std::vector<Condition> fresh = ComputeConditions(o);
  for (auto& c : fresh) {
    c.last_transition_time = now;
    for (const auto& prev : old) {
      if (prev.type == c.type && prev.status == c.status && !prev.last_transition_time.empty()) {
        c.last_transition_time = prev.last_transition_time;
      }
    }
  }
  nlohmann::json conditions = nlohmann::json::array();
  for (const auto& c : fresh) conditions.push_back(c.ToJson());
  for (const auto& prev : old) {  // conditions other parts own (Alerting, Remediating)
    if (prev.type != "Ready" && prev.type != "Injected" && prev.type != "Degraded") {
      for (const auto& raw : status["conditions"]) {
        if (raw.is_object() && raw.value("type", "") == prev.type) conditions.push_back(raw);
      }
    }
  }
  status["conditions"] = std::move(conditions);
  status["observedGeneration"] = o.generation;
  status["pods"] = {{"matched", o.matched}, {"injected", o.injected}};
  return status;
}

}  // namespace mm::op
