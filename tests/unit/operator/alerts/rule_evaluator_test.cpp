// The alert state machine: Inactive -> Pending -> Firing -> Inactive, Inconclusive
// on short samples or no value, EMA smoothing, `for` measured on the given clock.
#include "operator/alerts/rule_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

namespace mm::op {
namespace {

using api::AlertState;
using namespace std::chrono_literals;

api::AlertRule Rule(std::chrono::seconds for_duration = 60s) {
  api::AlertRule r;
  r.name = "slow";
  r.metric = api::Metric::kLatencyP99Seconds;
  r.op = api::ComparisonOp::kGreater;
  r.threshold = 0.25;
  r.window = 5min;
  r.for_duration = for_duration;
  r.min_samples = 100;
  return r;
}

Measurement M(double v, int64_t samples) { return {v, samples, ""}; }

AlertMemory From(const AlertDecision& d) {
  return {d.state, d.value, d.since, std::nullopt, d.episode};
}

const SystemTime kT0 = SystemTime(std::chrono::seconds(1'800'000'000));

TEST(RuleEvaluatorTest, PendingForTheForDurationThenFiringThenResolved) {
  const auto rule = Rule(60s);
  AlertDecision d = EvaluateRule(rule, M(0.1, 500), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInactive);
  EXPECT_FALSE(d.transitioned());

  d = EvaluateRule(rule, M(0.31, 500), From(d), kT0 + 10s);
  EXPECT_EQ(d.state, AlertState::kPending);
  EXPECT_TRUE(d.transitioned());
  EXPECT_EQ(d.since, kT0 + 10s);
  EXPECT_EQ(d.message, "latency_p99_seconds 0.31 > 0.25 over 5m (500 samples); firing after 1m");

  d = EvaluateRule(rule, M(0.4, 500), From(d), kT0 + 69s);  // 59 s pending
  EXPECT_EQ(d.state, AlertState::kPending);
  EXPECT_EQ(d.since, kT0 + 10s) << "Pending keeps its start";

  d = EvaluateRule(rule, M(0.4, 500), From(d), kT0 + 70s);  // 60 s pending
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_EQ(d.previous, AlertState::kPending);
  EXPECT_EQ(d.since, kT0 + 70s) << "Firing's start names the episode";

  d = EvaluateRule(rule, M(0.5, 500), From(d), kT0 + 100s);
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_FALSE(d.transitioned());
  EXPECT_EQ(d.since, kT0 + 70s);

  d = EvaluateRule(rule, M(0.2, 500), From(d), kT0 + 110s);
  EXPECT_EQ(d.state, AlertState::kInactive);
  EXPECT_EQ(d.previous, AlertState::kFiring);
  EXPECT_EQ(d.message, "latency_p99_seconds 0.2 not > 0.25 over 5m (500 samples)");
}

TEST(RuleEvaluatorTest, ConditionBreakingWhilePendingStartsOver) {
  const auto rule = Rule(60s);
  AlertDecision d = EvaluateRule(rule, M(0.3, 500), {}, kT0);
  ASSERT_EQ(d.state, AlertState::kPending);
  d = EvaluateRule(rule, M(0.1, 500), From(d), kT0 + 30s);
  ASSERT_EQ(d.state, AlertState::kInactive);
  d = EvaluateRule(rule, M(0.3, 500), From(d), kT0 + 40s);
  ASSERT_EQ(d.state, AlertState::kPending);
  d = EvaluateRule(rule, M(0.3, 500), From(d), kT0 + 90s);
  EXPECT_EQ(d.state, AlertState::kPending) << "only 50 s since the new start";
}

TEST(RuleEvaluatorTest, ForIsNeverCutShortByWholeSecondTimes) {
  const auto rule = Rule(2s);
  AlertDecision d = EvaluateRule(rule, M(0.3, 500), {}, kT0 + 300ms);
  ASSERT_EQ(d.state, AlertState::kPending);
  EXPECT_EQ(d.since, kT0 + 1s) << "rounded up, as status stores it";
  d = EvaluateRule(rule, M(0.3, 500), From(d), kT0 + 2900ms);
  EXPECT_EQ(d.state, AlertState::kPending) << "2.6 s since the condition held, 1.9 s since `since`";
  d = EvaluateRule(rule, M(0.3, 500), From(d), kT0 + 3s);
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_EQ(d.since, kT0 + 3s);
}

TEST(RuleEvaluatorTest, ForZeroFiresAtOnce) {
  AlertDecision d = EvaluateRule(Rule(0s), M(0.3, 500), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_EQ(d.since, kT0);
}

TEST(RuleEvaluatorTest, TooFewSamplesIsInconclusiveNeverFiring) {
  const auto rule = Rule(0s);
  AlertDecision d = EvaluateRule(rule, M(9.0, 99), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_EQ(d.value, 9.0);
  EXPECT_EQ(d.message, "latency_p99_seconds over 5m: 99 samples, fewer than minSamples 100");
  // Even a Firing alert stops firing when the samples run short.
  AlertMemory firing{AlertState::kFiring, 0.5, kT0};
  d = EvaluateRule(rule, M(0.5, 3), firing, kT0 + 10s);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_EQ(d.since, kT0 + 10s);
}

// Firing -> Inconclusive keeps the episode: back to Firing (at once, not
// Pending) with the episode's since, so the episode's action is not taken
// twice; Inactive from there ends the episode: resolved, with the value.
TEST(RuleEvaluatorTest, InconclusiveInsideAnEpisodeKeepsItAndResolvesIt) {
  const auto rule = Rule(60s);
  AlertDecision d = EvaluateRule(rule, M(0.4, 500), {}, kT0);
  d = EvaluateRule(rule, M(0.4, 500), From(d), kT0 + 60s);
  ASSERT_EQ(d.state, AlertState::kFiring);
  ASSERT_EQ(d.episode, kT0 + 60s);

  d = EvaluateRule(rule, M(0.4, 20), From(d), kT0 + 70s);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_EQ(d.since, kT0 + 70s) << "since: when it turned Inconclusive";
  EXPECT_EQ(d.episode, kT0 + 60s) << "still in the episode";
  EXPECT_FALSE(d.resolved);

  d = EvaluateRule(rule, M(0.4, 500), From(d), kT0 + 80s);
  EXPECT_EQ(d.state, AlertState::kFiring) << "no new Pending within the episode";
  EXPECT_EQ(d.since, kT0 + 60s) << "the same episode: its action is already taken";
  EXPECT_EQ(d.episode, kT0 + 60s);

  d = EvaluateRule(rule, M(0.4, 20), From(d), kT0 + 90s);
  d = EvaluateRule(rule, M(0.2, 500), From(d), kT0 + 100s);
  EXPECT_EQ(d.state, AlertState::kInactive);
  EXPECT_EQ(d.previous, AlertState::kInconclusive);
  EXPECT_TRUE(d.resolved) << "leaving the episode through Inconclusive resolves it";
  EXPECT_FALSE(d.episode);
  EXPECT_EQ(d.message, "latency_p99_seconds 0.2 not > 0.25 over 5m (500 samples)");

  // After the episode, Inconclusive -> Inactive is no resolution, and a new
  // Firing starts a new episode through Pending.
  d = EvaluateRule(rule, M(0.2, 20), From(d), kT0 + 110s);
  EXPECT_FALSE(d.episode);
  d = EvaluateRule(rule, M(0.2, 500), From(d), kT0 + 120s);
  EXPECT_EQ(d.state, AlertState::kInactive);
  EXPECT_FALSE(d.resolved);
  d = EvaluateRule(rule, M(0.4, 20), From(d), kT0 + 130s);
  d = EvaluateRule(rule, M(0.4, 500), From(d), kT0 + 140s);
  EXPECT_EQ(d.state, AlertState::kPending);

  // A status written before episodeSince: a Firing alert's since is its episode.
  AlertMemory old{AlertState::kFiring, 0.4, kT0, std::nullopt, std::nullopt};
  d = EvaluateRule(rule, M(0.4, 20), old, kT0 + 10s);
  EXPECT_EQ(d.episode, kT0);
}

TEST(RuleEvaluatorTest, NoValueAndNaNAreInconclusiveWithTheReason) {
  const auto rule = Rule(0s);
  AlertDecision d = EvaluateRule(rule, {std::nullopt, 0, "no request in the window"}, {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_FALSE(d.value);
  EXPECT_EQ(d.message, "latency_p99_seconds over 5m: no request in the window (0 samples)");
  d = EvaluateRule(rule, M(std::nan(""), 1000), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_FALSE(d.value);
  d = EvaluateRule(rule, M(INFINITY, 1000), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
}

TEST(RuleEvaluatorTest, LessThanRulesForQualityMetrics) {
  api::AlertRule rule = Rule(0s);
  rule.metric = api::Metric::kAccuracy;
  rule.op = api::ComparisonOp::kLess;
  rule.threshold = 0.9;
  EXPECT_EQ(EvaluateRule(rule, M(0.85, 200), {}, kT0).state, AlertState::kFiring);
  EXPECT_EQ(EvaluateRule(rule, M(0.9, 200), {}, kT0).state, AlertState::kInactive);
  rule.op = api::ComparisonOp::kLessOrEqual;
  EXPECT_EQ(EvaluateRule(rule, M(0.9, 200), {}, kT0).state, AlertState::kFiring);
}

TEST(RuleEvaluatorTest, EmaSmoothsFromTheLastMeasurableValue) {
  api::AlertRule rule = Rule(0s);
  rule.smoothing = api::Smoothing{0.8};
  AlertDecision d = EvaluateRule(rule, M(0.1, 500), {}, kT0);
  EXPECT_DOUBLE_EQ(*d.value, 0.1) << "the first value is taken as is";
  d = EvaluateRule(rule, M(0.6, 500), From(d), kT0 + 10s);  // 0.8*0.1 + 0.2*0.6 = 0.2
  EXPECT_NEAR(*d.value, 0.2, 1e-12);
  EXPECT_EQ(d.state, AlertState::kInactive) << "one spike does not fire";
  EXPECT_DOUBLE_EQ(*d.raw, 0.6);
  d = EvaluateRule(rule, M(0.6, 500), From(d), kT0 + 20s);  // 0.16 + 0.12 = 0.28
  EXPECT_NEAR(*d.value, 0.28, 1e-12);
  EXPECT_EQ(d.state, AlertState::kFiring);
  // After an Inconclusive spell the smoothing starts over.
  AlertMemory gap{AlertState::kInconclusive, 5.0, kT0};
  d = EvaluateRule(rule, M(0.1, 500), gap, kT0 + 30s);
  EXPECT_DOUBLE_EQ(*d.value, 0.1);
}

// The EMA continues from the exact state in status (smoothedValue), not from the
// value rounded to 4 digits, so after many evaluations it is the exact recurrence.
TEST(RuleEvaluatorTest, EmaContinuesFromTheExactStateNotTheRoundedValue) {
  api::AlertRule rule = Rule(0s);
  rule.smoothing = api::Smoothing{0.9};
  const auto round4 = [](double v) { return std::stod(FormatValue(v)); };
  AlertMemory memory;
  double exact = 0;
  for (int n = 0; n < 200; ++n) {
    const double x = 0.1 + 0.001 * n + (n % 3 == 0 ? 0.0123456 : 0.0);
    exact = n == 0 ? x : 0.9 * exact + 0.1 * x;
    AlertDecision d = EvaluateRule(rule, M(x, 500), memory, kT0 + std::chrono::seconds(n));
    // What status keeps: the value rounded for reading, the state exact.
    memory = {d.state, round4(*d.value), d.since, *d.value};
  }
  EXPECT_DOUBLE_EQ(*memory.smoothed, exact);
  // Without the exact state (a status written by an older operator) it falls back
  // to the rounded value and drifts.
  api::AlertRule same = rule;
  AlertMemory old{AlertState::kInactive, round4(0.123456789), kT0, std::nullopt};
  EXPECT_DOUBLE_EQ(*EvaluateRule(same, M(0.2, 500), old, kT0 + 1s).value, 0.9 * 0.1235 + 0.1 * 0.2);
}

Measurement Proportion(int64_t successes, int64_t trials) {
  Measurement m{static_cast<double>(successes) / static_cast<double>(trials), trials, ""};
  m.evidence.kind = Evidence::Kind::kProportion;
  m.evidence.successes = successes;
  m.evidence.count = trials;
  return m;
}

api::AlertRule RecallBelow(double threshold, std::optional<double> confidence) {
  api::AlertRule r = Rule(0s);
  r.name = "recall-low";
  r.metric = api::Metric::kRecall;
  r.op = api::ComparisonOp::kLess;
  r.threshold = threshold;
  r.min_samples = 10;
  r.confidence = confidence;
  return r;
}

// Firing only when the bound on the bad side is past the threshold, Inactive only
// when the bound on the safe side is clear of it, Inconclusive in between.
TEST(RuleEvaluatorTest, ConfidenceFiresOnlyOnEvidence) {
  const auto rule = RecallBelow(0.8, 0.95);
  // 78 of 100: below 0.8, but the 95% upper bound (0.840) is not.
  AlertDecision d = EvaluateRule(rule, Proportion(78, 100), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_EQ(EvaluateRule(RecallBelow(0.8, std::nullopt), Proportion(78, 100), {}, kT0).state,
            AlertState::kFiring)
      << "the raw threshold fires on the same data";
  ASSERT_TRUE(d.lower && d.upper);
  EXPECT_LT(*d.lower, 0.8);
  EXPECT_GT(*d.upper, 0.8);
  EXPECT_EQ(d.message,
            "recall 0.78 (95% bounds 0.705 to 0.8403): not enough evidence whether < 0.8 over "
            "5m (100 samples)");
  // 60 of 100: the upper bound 0.677 is below 0.8.
  d = EvaluateRule(rule, Proportion(60, 100), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_EQ(d.message, "recall 0.6 (95% upper bound 0.6769) < 0.8 over 5m (100 samples)");
  // 870 of 1000: the lower bound 0.852 is clear of 0.8.
  d = EvaluateRule(rule, Proportion(870, 1000), AlertMemory{AlertState::kFiring, 0.6, kT0}, kT0);
  EXPECT_EQ(d.state, AlertState::kInactive);
  EXPECT_EQ(d.previous, AlertState::kFiring);
  EXPECT_EQ(d.message, "recall 0.87 (95% lower bound 0.8515) not < 0.8 over 5m (1000 samples)");
}

TEST(RuleEvaluatorTest, ConfidenceWithoutEvidenceIsInconclusive) {
  const auto rule = RecallBelow(0.8, 0.95);
  const AlertDecision d = EvaluateRule(rule, M(0.1, 100), {}, kT0);  // no counts behind it
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_NE(d.message.find("no confidence bound"), std::string::npos) << d.message;
}

// p99 of 100 requests: the binomial bound on the rank reaches past the largest
// value, so there is no upper bound and 2 slow requests prove nothing either way.
TEST(RuleEvaluatorTest, LatencyQuantileBoundsComeFromTheHistogramsRanks) {
  api::AlertRule rule = Rule(0s);
  rule.min_samples = 10;
  rule.confidence = 0.95;
  const auto p99 = [](int slow) {
    auto h = std::make_shared<metrics::LogHistogram>();
    h->Record(0.1, static_cast<uint64_t>(100 - slow));
    h->Record(1.0, static_cast<uint64_t>(slow));
    Measurement m{h->Quantile(0.99), 100, ""};
    m.evidence.kind = Evidence::Kind::kQuantile;
    m.evidence.count = 100;
    m.evidence.quantile = 0.99;
    m.evidence.histogram = h;
    return m;
  };
  AlertDecision d = EvaluateRule(rule, p99(2), {}, kT0);
  EXPECT_NEAR(*d.value, 1.0, 0.011);
  EXPECT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_FALSE(d.upper && std::isfinite(*d.upper));
  EXPECT_NEAR(*d.lower, 0.1, 0.002);  // rank 96: the largest k with binom.cdf(k, 100, 0.99) <= 0.05
  // 10 slow of 100: rank 96 is slow too.
  d = EvaluateRule(rule, p99(10), {}, kT0);
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_NEAR(*d.lower, 1.0, 0.011);
}

api::ExternalAlert Alertmanager(SystemTime since, std::optional<double> value = std::nullopt) {
  api::ExternalAlert r;
  r.name = "slow";
  r.firing = true;
  r.since = FormatRfc3339(since);
  r.received = r.since;
  r.value = value;
  return r;
}

TEST(RuleEvaluatorTest, AlertmanagerFiringFiresTheAlertFromItsStart) {
  const auto rule = Rule(60s);
  // Too few samples here, but Alertmanager says it fires: Firing, episode = startsAt.
  AlertDecision d = EvaluateRule(rule, M(0.1, 5), {}, kT0);
  ASSERT_EQ(d.state, AlertState::kInconclusive);
  EXPECT_TRUE(ApplyExternalAlert(Alertmanager(kT0 - 30s, 0.4), kT0, &d));
  EXPECT_EQ(d.state, AlertState::kFiring);
  EXPECT_TRUE(d.external);
  EXPECT_EQ(d.since, kT0 - 30s);
  EXPECT_EQ(*d.value, 0.4);
  EXPECT_NE(d.message.find("firing in Alertmanager since"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("measured here: latency_p99_seconds over 5m"), std::string::npos)
      << d.message;

  // Without a value annotation the value measured here stays.
  d = EvaluateRule(rule, M(0.1, 500), {}, kT0);
  EXPECT_TRUE(ApplyExternalAlert(Alertmanager(kT0), kT0, &d));
  EXPECT_EQ(*d.value, 0.1);
}

TEST(RuleEvaluatorTest, AlertmanagerResolvedOrEndedOrAlreadyFiringChangesNothing) {
  const auto rule = Rule(0s);
  AlertDecision d = EvaluateRule(rule, M(0.1, 500), {}, kT0);
  auto resolved = Alertmanager(kT0 - 60s);
  resolved.firing = false;
  EXPECT_FALSE(ApplyExternalAlert(resolved, kT0, &d));
  auto ended = Alertmanager(kT0 - 60s);
  ended.ends = FormatRfc3339(kT0 - 1s);
  EXPECT_FALSE(ApplyExternalAlert(ended, kT0, &d)) << "past its endsAt";
  EXPECT_EQ(d.state, AlertState::kInactive);
  ended.ends = FormatRfc3339(kT0 + 60s);
  EXPECT_TRUE(ApplyExternalAlert(ended, kT0, &d)) << "before its endsAt";

  // Firing here already: its own episode stands.
  AlertDecision here = EvaluateRule(rule, M(0.5, 500), {}, kT0);
  ASSERT_EQ(here.state, AlertState::kFiring);
  EXPECT_FALSE(ApplyExternalAlert(Alertmanager(kT0 - 600s), kT0, &here));
  EXPECT_EQ(here.since, kT0);
  EXPECT_FALSE(here.external);
}

}  // namespace
}  // namespace mm::op
