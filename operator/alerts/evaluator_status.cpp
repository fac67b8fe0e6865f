#include "operator/alerts/evaluator_status.h"

#include <string>

#include "operator/remediation/remediation_policy.h"

namespace mm::op {

using nlohmann::json;

namespace {

bool OwnedCondition(const std::string& type) { return type == "Alerting" || type == "Remediating"; }

// Whether the safeguards still need record `i` of `records` at `now`: a real
// action of the last 24 hours (the daily budget), one still Started (followed
// to its end), or the newest real action (the cooldown, up to 720h).
bool NeededBySafeguards(const std::vector<api::RemediationRecord>& records, size_t i,
                        const std::optional<SystemTime>& now) {
  const api::RemediationRecord& r = records[i];
  if (!CountsTowardBudget(r)) return false;
  if (r.result == api::RemediationResult::kStarted) return true;
  for (size_t j = i + 1; j < records.size(); ++j) {
    if (CountsTowardBudget(records[j])) {
      const auto t = ParseRfc3339(r.time);
      return t && now && *now - *t < std::chrono::hours(24);
    }
  }
  return true;  // the newest real action
}

}  // namespace

std::string LastAction(const api::RemediationRecord& r) {
  return std::string(api::ToString(r.action)) + " " + std::string(api::ToString(r.result));
}

void SetCondition(api::ModelMonitorStatus& s, api::Condition c, SystemTime now) {
  for (auto& old : s.conditions) {
    if (old.type != c.type) continue;
    c.last_transition_time = old.status == c.status && !old.last_transition_time.empty()
                                 ? old.last_transition_time
                                 : FormatRfc3339(now);
    old = std::move(c);
    return;
  }
  c.last_transition_time = FormatRfc3339(now);
  s.conditions.push_back(std::move(c));
}

void AddRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r) {
  s.remediations.push_back(r);
  // Over the limit, the oldest record the safeguards do not need goes first, so
  // `none` and Skipped records never push a counted action out of the budget.
  const std::optional<SystemTime> now = ParseRfc3339(r.time);
  auto& records = s.remediations;
  while (records.size() > api::kMaxRemediationRecords) {
    size_t drop = 0;
    while (drop < records.size() && NeededBySafeguards(records, drop, now)) ++drop;
    if (drop == records.size()) {
      if (records.size() <= api::kMaxStoredRemediationRecords) break;
      drop = 0;
    }
    records.erase(records.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  s.last_action = LastAction(r);
}

void PutRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r) {
  for (auto& old : s.remediations) {
    if (old.time == r.time && old.alert == r.alert && old.action == r.action) {
      old = r;
      s.last_action = LastAction(r);
      return;
    }
  }
  AddRecord(s, r);
}

std::optional<json> MergeOwnedStatus(const json& current_status, const json& mine) {
  json before = current_status.is_object() ? current_status : json::object();
  json desired = before;
  for (const char* key : {"alerts", "metrics", "firingAlerts", "lastAction", "remediations"}) {
    if (mine.contains(key)) {
      desired[key] = mine[key];
    } else {
      desired.erase(key);
    }
  }
  json conditions = json::array();
  for (const auto& c : before.value("conditions", json::array())) {
    const std::string type = c.is_object() ? c.value("type", "") : "";
    if (!OwnedCondition(type)) conditions.push_back(c);
  }
  for (const auto& c : mine.value("conditions", json::array())) {
    if (OwnedCondition(c.value("type", ""))) conditions.push_back(c);
  }
  desired["conditions"] = conditions;
  json a = before, b = desired;  // the evaluation time alone is no change
  if (a.contains("metrics")) a["metrics"].erase("time");
  if (b.contains("metrics")) b["metrics"].erase("time");
  if (a == b) return std::nullopt;
  return desired;
}

}  // namespace mm::op
