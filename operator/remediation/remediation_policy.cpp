#include "operator/remediation/remediation_policy.h"

namespace mm::op {
namespace {

using namespace std::chrono_literals;

bool InEpisode(const api::RemediationRecord& r, const std::string& alert, SystemTime episode) {
  if (r.alert != alert) return false;
  auto t = ParseRfc3339(r.time);
  return t && *t >= episode;
}

}  // namespace

bool CountsTowardBudget(const api::RemediationRecord& r) {
  return r.action != api::Action::kNone && r.result != api::RemediationResult::kSkipped;
}

PolicyVerdict CheckRemediationPolicy(const api::RemediationSpec& spec,
                                     const std::vector<api::RemediationRecord>& history,
                                     SystemTime now) {
  PolicyVerdict v;
  std::optional<SystemTime> last;
  int today = 0;
  for (const auto& r : history) {
    if (!CountsTowardBudget(r)) continue;
    auto t = ParseRfc3339(r.time);
    if (!t) continue;
    if (!last || *t > *last) last = *t;
    if (now - *t < 24h) ++today;
  }
  if (today >= spec.max_actions_per_day) {
    v.allowed = false;
    v.reason = "DailyBudgetSpent";
    v.message = std::to_string(today) + " actions in the last 24h, maxActionsPerDay is " +
                std::to_string(spec.max_actions_per_day);
    return v;
  }
  if (last && now - *last < spec.cooldown) {
    v.allowed = false;
    v.reason = "CooldownActive";
    const auto left =
        std::chrono::duration_cast<std::chrono::seconds>(spec.cooldown - (now - *last));
    v.message = "last action at " + FormatRfc3339(*last) + ", cooldown " +
                api::FormatDuration(spec.cooldown) + " ends in " + api::FormatDuration(left);
  }
  return v;
}

bool EpisodeHandled(const std::vector<api::RemediationRecord>& history, const std::string& alert,
                    SystemTime episode) {
  for (const auto& r : history) {
    if (InEpisode(r, alert, episode) && r.result != api::RemediationResult::kSkipped) return true;
  }
  return false;
}

bool EpisodeSkipRecorded(const std::vector<api::RemediationRecord>& history,
                         const std::string& alert, SystemTime episode) {
  for (const auto& r : history) {
    if (InEpisode(r, alert, episode) && r.result == api::RemediationResult::kSkipped) return true;
  }
  return false;
}

}  // namespace mm::op
