#include "operator/remediation/remediation_policy.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using namespace std::chrono_literals;
using api::Action;
using api::RemediationResult;

const SystemTime kNow = SystemTime(std::chrono::seconds(1'795'320'000));  // 2026-11-22T04:00:00Z

api::RemediationRecord Record(SystemTime t, RemediationResult result,
                              Action action = Action::kRollback,
                              const std::string& alert = "slow") {
  api::RemediationRecord r;
  r.time = FormatRfc3339(t);
  r.alert = alert;
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

TEST(RemediationPolicyTest, CooldownFromTheLastAction) {
  std::vector<api::RemediationRecord> h = {Record(kNow - 10min, RemediationResult::kSucceeded)};
  PolicyVerdict v = CheckRemediationPolicy(Spec(30min, 3), h, kNow);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "CooldownActive");
  EXPECT_EQ(v.message, "last action at 2026-11-22T03:50:00Z, cooldown 30m ends in 20m");
  EXPECT_TRUE(CheckRemediationPolicy(Spec(30min, 3), h, kNow + 20min).allowed);
  // Skipped and `none` records spend nothing; dry runs and failures do.
  h = {Record(kNow - 1min, RemediationResult::kSkipped),
       Record(kNow - 1min, RemediationResult::kSucceeded, Action::kNone)};
  EXPECT_TRUE(CheckRemediationPolicy(Spec(30min, 3), h, kNow).allowed);
  h = {Record(kNow - 1min, RemediationResult::kDryRun)};
  EXPECT_FALSE(CheckRemediationPolicy(Spec(30min, 3), h, kNow).allowed);
  h = {Record(kNow - 1min, RemediationResult::kFailed)};
  EXPECT_FALSE(CheckRemediationPolicy(Spec(30min, 3), h, kNow).allowed);
}

TEST(RemediationPolicyTest, DailyBudgetOverTheLast24Hours) {
  std::vector<api::RemediationRecord> h = {
      Record(kNow - 25h, RemediationResult::kSucceeded),
      Record(kNow - 5h, RemediationResult::kSucceeded),
      Record(kNow - 3h, RemediationResult::kStarted, Action::kRetrain)};
  PolicyVerdict v = CheckRemediationPolicy(Spec(1min, 2), h, kNow);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "DailyBudgetSpent");
  EXPECT_EQ(v.message, "2 actions in the last 24h, maxActionsPerDay is 2");
  EXPECT_TRUE(CheckRemediationPolicy(Spec(1min, 3), h, kNow).allowed);
  EXPECT_FALSE(CheckRemediationPolicy(Spec(1min, 0), {}, kNow).allowed) << "0 = never act";
}

TEST(RemediationPolicyTest, EpisodesAreHandledOnce) {
  const SystemTime episode = kNow - 2min;
  std::vector<api::RemediationRecord> h = {Record(kNow - 1h, RemediationResult::kSucceeded),
                                           Record(episode, RemediationResult::kSkipped)};
  EXPECT_FALSE(EpisodeHandled(h, "slow", episode)) << "an earlier episode's and a skip";
  EXPECT_TRUE(EpisodeSkipRecorded(h, "slow", episode));
  h.push_back(Record(kNow, RemediationResult::kStarted));
  EXPECT_TRUE(EpisodeHandled(h, "slow", episode));
  EXPECT_FALSE(EpisodeHandled(h, "other", episode));
}

}  // namespace
}  // namespace mm::op
