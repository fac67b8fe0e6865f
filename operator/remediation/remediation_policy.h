#pragma once

#include <string>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/rfc3339.h"

namespace mm::op {

// Whether a monitor may act now, from spec.remediation and the actions recorded
// in status.remediations (the only memory, so a new leader sees what the old
// one did). Records that count: rollback and retrain with result Started,
// Succeeded, Failed or DryRun (a dry run spends cooldown and budget like the real
// action, so it shows what would really happen); Skipped and `none` do not.
struct PolicyVerdict {
  bool allowed = true;
  std::string reason;   // CooldownActive, DailyBudgetSpent
  std::string message;  // with the times and counts
};

// Whether `r` spends cooldown and budget (a rollback or retrain that is not Skipped).
bool CountsTowardBudget(const api::RemediationRecord& r);

PolicyVerdict CheckRemediationPolicy(const api::RemediationSpec& spec,
                                     const std::vector<api::RemediationRecord>& history,
                                     SystemTime now);

// Whether this episode of `alert` (Firing since `episode`) already has a record
// other than Skipped: then it was handled, by this replica or an earlier leader.
bool EpisodeHandled(const std::vector<api::RemediationRecord>& history, const std::string& alert,
                    SystemTime episode);
// Whether this episode already has a Skipped record (written once, not every interval).
bool EpisodeSkipRecorded(const std::vector<api::RemediationRecord>& history,
                         const std::string& alert, SystemTime episode);

}  // namespace mm::op
