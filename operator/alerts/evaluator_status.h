#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/api/model_monitor.h"
#include "common/rfc3339.h"

namespace mm::op {

// The parts of a ModelMonitor's status the alert evaluator owns: alerts,
// metrics, firingAlerts, lastAction, remediations and the Alerting and
// Remediating conditions. The reconciler owns the rest.

// Sets condition `c` (by type): its lastTransitionTime stays while its status
// stays, and is `now` when the status changes or the condition is new.
void SetCondition(api::ModelMonitorStatus& s, api::Condition c, SystemTime now);

// "rollback Succeeded": status.lastAction for record `r`.
std::string LastAction(const api::RemediationRecord& r);

// Appends `r` to status.remediations and sets lastAction ("rollback
// Succeeded"). Over kMaxRemediationRecords, the oldest record the safeguards do
// not need is dropped (NeededBySafeguards: real actions of the 24h before
// `r.time`, Started ones and the newest real action stay, up to
// kMaxStoredRemediationRecords), so the daily budget and the cooldown count
// right however many `none` and Skipped records follow.
void AddRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r);

// Replaces the record with the same time, alert and action (the intent written
// before a rollback) by its outcome, or appends it.
void PutRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r);

// The object's status with the evaluator's parts replaced by those of `mine`
// (ToJson of the evaluated status), or nullopt when that changes nothing: the
// evaluation time (metrics.time) alone is no change.
std::optional<nlohmann::json> MergeOwnedStatus(const nlohmann::json& before,
                                               const nlohmann::json& mine);

}  // namespace mm::op
