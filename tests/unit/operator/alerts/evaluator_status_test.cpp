#include "operator/alerts/evaluator_status.h"

#include <gtest/gtest.h>

#include "operator/remediation/remediation_policy.h"

namespace mm::op {
namespace {

using namespace std::chrono_literals;
using api::Action;
using api::RemediationResult;

const SystemTime kNow = SystemTime(std::chrono::seconds(1'795'320'000));  // 2026-11-22T04:00:00Z

api::RemediationRecord Record(SystemTime t, Action action, RemediationResult result) {
  api::RemediationRecord r;
  r.time = FormatRfc3339(t);
  r.alert = "slow";
  r.action = action;
  r.result = result;
  return r;
}

api::RemediationSpec Spec(std::chrono::seconds cooldown, int per_day) {
  api::RemediationSpec s;
  s.cooldown = cooldown;
  s.max_actions_per_day = per_day;
  return s;
}

TEST(EvaluatorStatusTest, NoneAndSkippedRecordsNeverPushTheBudgetsActionsOut) {
  api::ModelMonitorStatus s;
  AddRecord(s, Record(kNow - 6h, Action::kRollback, RemediationResult::kSucceeded));
  AddRecord(s, Record(kNow - 5h, Action::kRetrain, RemediationResult::kFailed));
  AddRecord(s, Record(kNow - 4h, Action::kRollback, RemediationResult::kDryRun));
  for (int i = 0; i < 30; ++i) {
    const SystemTime t = kNow - 3h + std::chrono::minutes(i);
    AddRecord(s, Record(t, i % 2 ? Action::kNone : Action::kRollback,
                        i % 2 ? RemediationResult::kSucceeded : RemediationResult::kSkipped));
  }
  EXPECT_EQ(s.remediations.size(), api::kMaxRemediationRecords);
  const PolicyVerdict v = CheckRemediationPolicy(Spec(1min, 3), s.remediations, kNow);
  EXPECT_FALSE(v.allowed) << "3 actions within 24h, 30 none/Skipped records after them";
  EXPECT_EQ(v.reason, "DailyBudgetSpent");
  EXPECT_EQ(s.last_action, "none Succeeded");
}

TEST(EvaluatorStatusTest, TheNewestActionStaysForTheCooldownAndOldOnesGo) {
  api::ModelMonitorStatus s;
  AddRecord(s, Record(kNow - 50h, Action::kRollback, RemediationResult::kSucceeded));
  AddRecord(s, Record(kNow - 48h, Action::kRollback, RemediationResult::kSucceeded));
  for (int i = 0; i < 25; ++i) {
    AddRecord(s, Record(kNow - 1h + std::chrono::minutes(i), Action::kNone,
                        RemediationResult::kSucceeded));
  }
  ASSERT_EQ(s.remediations.size(), api::kMaxRemediationRecords);
  EXPECT_EQ(s.remediations.front().time, FormatRfc3339(kNow - 48h)) << "the newest action stays";
  EXPECT_FALSE(CheckRemediationPolicy(Spec(72h, 3), s.remediations, kNow).allowed)
      << "a 72h cooldown from the action 48h ago";
}

TEST(EvaluatorStatusTest, MoreThan20ActionsADayAreAllKept) {
  api::ModelMonitorStatus s;
  for (int i = 0; i < 30; ++i) {
    AddRecord(s, Record(kNow - 20h + std::chrono::minutes(30 * i), Action::kRollback,
                        RemediationResult::kSucceeded));
    AddRecord(s, Record(kNow - 20h + std::chrono::minutes(30 * i + 1), Action::kNone,
                        RemediationResult::kSucceeded));
  }
  EXPECT_EQ(s.remediations.size(), 30u);
  const PolicyVerdict v = CheckRemediationPolicy(Spec(1min, 30), s.remediations, kNow);
  EXPECT_EQ(v.reason, "DailyBudgetSpent");
  EXPECT_LE(s.remediations.size(), api::kMaxStoredRemediationRecords);
}

}  // namespace
}  // namespace mm::op
