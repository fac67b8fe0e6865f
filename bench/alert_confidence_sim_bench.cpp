// How often a recall alert fires on a healthy model, and how many labels it takes
// to fire on a broken one, with a raw threshold and with `confidence: 0.95` (and
// 0.99, for comparison).
// A seeded simulation, not a timing: synthetic label streams go through the real
// aggregation (AccuracySnapshot buckets -> MonitorWindow::Merge -> Measure) and
// the real state machine (EvaluateRule), as the operator runs them.
//
//   alert_confidence_sim_bench [--seed 17] [--windows 10000] [--trials 1000]
//                              [--horizon-hours 1200]
//
// The alert: recall < 0.80 over a 24h window, for: 0s, minSamples 1, evaluated
// every hour. The model's true recall is 0.85 (healthy); false positive rate 5 %.
// Per cell (prevalence x labels per hour), hourly accuracy buckets hold binomial
// draws of the confusion counts (what the sidecar's AddJoined would count):
//   false Firing per 1 000 windows: the share of hourly evaluations, over
//     `--windows` consecutive healthy windows, whose state is Firing, x 1 000;
//   labels to fire: after a full healthy window the true recall drops to 0.6;
//     the labels that arrived from the drop to the first Firing evaluation
//     (median and 90th percentile over `--trials` trials).
// Exits 1 when a figure is missing (a detection median beyond the horizon).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "operator/alerts/monitor_window.h"
#include "operator/alerts/rule_evaluator.h"

namespace {

using mm::metrics::AccuracyBucket;
using mm::metrics::AccuracySnapshot;
using mm::metrics::TimeMs;
using namespace std::chrono_literals;

constexpr int64_t kHour = 3600;
constexpr int64_t kWindowHours = 24;
constexpr int64_t kT0 = 1'800'000'000 / kHour * kHour;  // an hour boundary
constexpr double kHealthyRecall = 0.85;
constexpr double kBrokenRecall = 0.60;
constexpr double kThreshold = 0.80;
constexpr double kFalsePositiveRate = 0.05;
// The rules compared on the same data: raw threshold, confidence 0.95 (the goals'),
// confidence 0.99 (for thin data).
constexpr size_t kRules = 3;

mm::api::AlertRule RecallRule(std::optional<double> confidence) {
  mm::api::AlertRule r;
  r.name = "recall-low";
  r.metric = mm::api::Metric::kRecall;
  r.op = mm::api::ComparisonOp::kLess;
  r.threshold = kThreshold;
  r.window = std::chrono::hours(kWindowHours);
  r.for_duration = 0s;
  r.min_samples = 1;
  r.confidence = confidence;
  return r;
}

// One hour of labels as the sidecar's bucket would hold them.
AccuracyBucket Hour(std::mt19937_64& rng, int64_t labels, double prevalence, double recall) {
  AccuracyBucket b;
  const auto draw = [&](int64_t n, double p) {
    return n <= 0 ? int64_t{0} : std::binomial_distribution<int64_t>(n, p)(rng);
  };
  const int64_t positives = draw(labels, prevalence);
  const int64_t tp = draw(positives, recall);
  const int64_t fp = draw(labels - positives, kFalsePositiveRate);
  b.confusion[{1, 1}] = tp;
  b.confusion[{1, 0}] = positives - tp;
  b.confusion[{0, 1}] = fp;
  b.confusion[{0, 0}] = labels - positives - fp;
  b.joined = labels;
  b.recorded = labels;
  b.label_delay_counts[5] = labels;  // all within 5 minutes; not used here
  return b;
}

// A stream of hourly buckets and the alerts' memories, evaluated each hour.
class Stream {
 public:
  Stream(int64_t labels_per_hour, double prevalence, uint64_t seed)
      : labels_(labels_per_hour), prevalence_(prevalence), rng_(seed) {
    snapshot_.config.bucket_ms = kHour * 1000;
    snapshot_.config.retention_ms = (kWindowHours + 2) * kHour * 1000;
  }

  // Adds the next hour and evaluates every rule at its end: whether each is Firing.
  std::array<bool, kRules> Step(double recall) {
    const TimeMs start = (kT0 + hour_ * kHour) * 1000;
    snapshot_.buckets[start] = Hour(rng_, labels_, prevalence_, recall);
    while (!snapshot_.buckets.empty() &&
           snapshot_.buckets.begin()->first < start - kWindowHours * kHour * 1000) {
      snapshot_.buckets.erase(snapshot_.buckets.begin());
    }
    ++hour_;
    const int64_t now = kT0 + hour_ * kHour;  // the end of the hour just added
    mm::op::Collection c;
    mm::op::PodSnapshot pod;
    pod.pod = "model-0";
    pod.requests.bucket_seconds = 10;
    pod.accuracy = snapshot_;
    c.snapshots.push_back(std::move(pod));
    const mm::op::MonitorWindow w = mm::op::MonitorWindow::Merge(c);
    const mm::op::Measurement m = w.Measure(mm::api::Metric::kRecall, rules_[0].window, now);
    const auto at = mm::SystemTime(std::chrono::seconds(now));
    positives_ += m.samples;
    ++evaluations_;
    std::array<bool, kRules> firing{};
    for (size_t i = 0; i < kRules; ++i) {
      const mm::op::AlertDecision d = mm::op::EvaluateRule(rules_[i], m, memory_[i], at);
      memory_[i] = {d.state, d.value, d.since};
      firing[i] = d.state == mm::api::AlertState::kFiring;
    }
    return firing;
  }

  double MeanPositivesPerWindow() const {
    return evaluations_ ? static_cast<double>(positives_) / static_cast<double>(evaluations_) : 0;
  }

 private:
  const int64_t labels_;
  const double prevalence_;
  std::mt19937_64 rng_;
  AccuracySnapshot snapshot_;
  int64_t hour_ = 0;
  const std::array<mm::api::AlertRule, kRules> rules_ = {RecallRule(std::nullopt), RecallRule(0.95),
                                                         RecallRule(0.99)};
  std::array<mm::op::AlertMemory, kRules> memory_{};
  int64_t positives_ = 0;
  int64_t evaluations_ = 0;
};

struct Detection {
  std::vector<int64_t> labels;  // per trial; -1: not within the horizon
  std::optional<int64_t> Quantile(double q) const {
    std::vector<int64_t> v = labels;
    std::sort(v.begin(), v.end(), [](int64_t a, int64_t b) {
      return (a < 0 ? INT64_MAX : a) < (b < 0 ? INT64_MAX : b);
    });
    if (v.empty()) return std::nullopt;
    const int64_t x = v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
    if (x < 0) return std::nullopt;
    return x;
  }
};

std::string Figure(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string("missing");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "False Firing and detection of a recall alert: raw threshold vs confidence 0.95 and 0.99"};
  uint64_t seed = 17;
  int64_t windows = 10000;
  int trials = 1000;
  int64_t horizon_hours = 50 * kWindowHours;  // a detection slower than this is missing
  app.add_option("--seed", seed, "Seed of every random draw");
  app.add_option("--windows", windows, "Healthy hourly evaluations per cell")
      ->check(CLI::PositiveNumber);
  app.add_option("--trials", trials, "Detection trials per cell")->check(CLI::PositiveNumber);
  app.add_option("--horizon-hours", horizon_hours,
                 "Hours after the drop a detection may take before its figure is missing")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::printf(
      "recall < %.2f over %lldh, evaluated hourly, minSamples 1; true recall %.2f -> %.2f; seed "
      "%llu\n\n",
      kThreshold, static_cast<long long>(kWindowHours), kHealthyRecall, kBrokenRecall,
      static_cast<unsigned long long>(seed));
  std::printf(
      "| prevalence | labels/h | positives/window | false Firing per 1 000 windows: raw / 0.95 "
      "/ 0.99 | labels to fire, median (p90): raw | 0.95 | 0.99 | 0.95 vs raw | goals (0.95) "
      "|\n|---|---|---|---|---|---|---|---|---|\n");
  bool missing = false;
  uint64_t cell_seed = seed;
  std::string false_cells, ratio_cells;  // README's two rows (bench/run.sh reads "row:")
  for (double prevalence : {0.005, 0.02, 0.2}) {
    for (int64_t rate : {100, 1000, 10000}) {
      ++cell_seed;
      // False Firing: one long healthy stream, after a first full window.
      Stream healthy(rate, prevalence, cell_seed * 1'000'003);
      for (int64_t h = 0; h < kWindowHours; ++h) healthy.Step(kHealthyRecall);
      std::array<int64_t, kRules> false_firing{};
      for (int64_t h = 0; h < windows; ++h) {
        const auto firing = healthy.Step(kHealthyRecall);
        for (size_t i = 0; i < kRules; ++i) false_firing[i] += firing[i];
      }
      // Detection: a full healthy window, then the drop.
      std::array<Detection, kRules> detect;
      for (int t = 0; t < trials; ++t) {
        Stream s(rate, prevalence, cell_seed * 1'000'003 + 1 + static_cast<uint64_t>(t));
        for (int64_t h = 0; h < kWindowHours; ++h) s.Step(kHealthyRecall);
        std::array<int64_t, kRules> at;
        at.fill(-1);
        for (int64_t h = 1; h <= horizon_hours &&
                            std::any_of(at.begin(), at.end(), [](int64_t a) { return a < 0; });
             ++h) {
          const auto firing = s.Step(kBrokenRecall);
          for (size_t i = 0; i < kRules; ++i) {
            if (firing[i] && at[i] < 0) at[i] = h * rate;
          }
        }
        for (size_t i = 0; i < kRules; ++i) detect[i].labels.push_back(at[i]);
      }
      const double per = 1000.0 / static_cast<double>(windows);
      std::array<double, kRules> false_rate{};
      std::array<std::string, kRules> fire;
      std::array<std::optional<int64_t>, kRules> median;
      for (size_t i = 0; i < kRules; ++i) {
        false_rate[i] = static_cast<double>(false_firing[i]) * per;
        median[i] = detect[i].Quantile(0.5);
        missing = missing || !median[i];
        fire[i] = Figure(median[i]) + " (" + Figure(detect[i].Quantile(0.9)) + ")";
      }
      std::string ratio = "missing";
      std::string goals = "missing";
      if (median[0] && median[1]) {
        const double r =
            static_cast<double>(*median[1]) / static_cast<double>(std::max<int64_t>(1, *median[0]));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2fx", r);
        ratio = buf;
        goals = std::string(false_rate[1] <= 1 ? "false ok" : "false MISSED") + ", " +
                (r <= 2 ? "detection ok" : "detection MISSED");
      }
      char cell[96];
      std::snprintf(cell, sizeof cell, "%s%.1f %% at %lld/h: %.1f / %.1f",
                    false_cells.empty() ? "" : "; ", prevalence * 100, static_cast<long long>(rate),
                    false_rate[0], false_rate[1]);
      false_cells += cell;
      std::snprintf(cell, sizeof cell, "%s%.1f %% at %lld/h: %s", ratio_cells.empty() ? "" : "; ",
                    prevalence * 100, static_cast<long long>(rate), ratio.c_str());
      ratio_cells += cell;
      std::printf("| %.1f %% | %lld | %.1f | %.1f / %.1f / %.1f | %s | %s | %s | %s | %s |\n",
                  prevalence * 100, static_cast<long long>(rate), healthy.MeanPositivesPerWindow(),
                  false_rate[0], false_rate[1], false_rate[2], fire[0].c_str(), fire[1].c_str(),
                  fire[2].c_str(), ratio.c_str(), goals.c_str());
      std::fflush(stdout);
    }
  }
  if (missing) {
    std::fprintf(stderr, "a figure is missing: a median detection beyond %lld hours\n",
                 static_cast<long long>(horizon_hours));
    return 1;
  }
  std::printf(
      "\nrow: recall alert (< %.2f over %lldh, hourly) on a healthy model (true recall %.2f): "
      "false Firing per 1 000 windows, raw threshold / confidence 0.95 | %s | the raw threshold "
      "on the same simulated labels\n",
      kThreshold, static_cast<long long>(kWindowHours), kHealthyRecall, false_cells.c_str());
  std::printf(
      "row: the same alert after true recall drops to %.2f: labels until Firing, median, "
      "confidence 0.95 vs raw | %s | same run\n",
      kBrokenRecall, ratio_cells.c_str());
  return 0;
}
