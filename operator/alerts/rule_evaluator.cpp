#include "operator/alerts/rule_evaluator.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "common/metrics/ema.h"

namespace mm::op {

bool ApplyExternalAlert(const api::ExternalAlert& report, SystemTime now, AlertDecision* d) {
  if (!report.firing || d->state == api::AlertState::kFiring) return false;
  if (const auto ends = ParseRfc3339(report.ends); ends && *ends <= now) return false;
  const auto since = ParseRfc3339(report.since);
  if (!since) return false;
  d->state = api::AlertState::kFiring;
  d->since = d->episode ? *d->episode : *since;  // an episode here continues
  d->episode = d->since;
  d->resolved = false;
  d->external = true;
  if (report.value) d->value = report.value;
  d->message = "firing in Alertmanager since " + report.since +
               (report.value ? " with value " + FormatValue(*report.value) : "") +
               (report.message.empty() ? "" : " (" + report.message + ")") +
               "; measured here: " + d->message;
  return true;
}

std::optional<metrics::Bounds> ConfidenceBounds(const Measurement& m, double confidence) {
  const Evidence& e = m.evidence;
  switch (e.kind) {
    case Evidence::Kind::kNone:
      return std::nullopt;
    case Evidence::Kind::kProportion:
      return metrics::WilsonBounds(e.successes, e.count, confidence);
    case Evidence::Kind::kAuc:
      return metrics::AucBounds(e.auc, e.count, e.negatives, e.auc_binning_error, confidence);
    case Evidence::Kind::kMeanAbsoluteError:
      return metrics::MeanAbsoluteErrorBounds(e.count, e.abs_error_sum, e.squared_error_sum,
                                              confidence);
    case Evidence::Kind::kRootMeanSquaredError:
      return metrics::RootMeanSquaredErrorBounds(e.count, e.squared_error_sum, confidence);
    case Evidence::Kind::kQuantile: {
      if (!e.histogram || e.histogram->empty()) return std::nullopt;
      const auto n = static_cast<int64_t>(e.histogram->count());
      const metrics::RankBounds r = metrics::QuantileRankBounds(n, e.quantile, confidence);
      metrics::Bounds b;
      b.lower = r.lower < 0 ? 0 : e.histogram->ValueAtRank(static_cast<uint64_t>(r.lower));
      b.upper = r.upper >= n ? std::numeric_limits<double>::infinity()
                             : e.histogram->ValueAtRank(static_cast<uint64_t>(r.upper));
      return b;
    }
  }
  return std::nullopt;
}

namespace {

// "95%" for 0.95, "99.9%" for 0.999.
std::string Percent(double confidence) { return FormatValue(confidence * 100) + "%"; }

}  // namespace

AlertDecision EvaluateRule(const api::AlertRule& rule, const Measurement& m,
                           const AlertMemory& memory, SystemTime now) {
  AlertDecision d;
  d.previous = memory.state;
  // The episode the alert is in (a status written before episodeSince: a Firing
  // alert's since).
  std::optional<SystemTime> episode;
  if (memory.state == api::AlertState::kFiring) {
    episode = memory.episode ? memory.episode : memory.since;
  } else if (memory.state == api::AlertState::kInconclusive) {
    episode = memory.episode;
  }
  d.samples = m.samples;
  d.raw = m.value;
  const std::string metric(api::ToString(rule.metric));
  const std::string window = api::FormatDuration(rule.window);
  const std::string samples = std::to_string(m.samples) + " samples";
  const std::string op(api::ToString(rule.op));
  const bool measurable = m.value && std::isfinite(*m.value);
  std::optional<metrics::Bounds> bounds;
  if (measurable && rule.confidence) bounds = ConfidenceBounds(m, *rule.confidence);

  if (!measurable || m.samples < rule.min_samples || (rule.confidence && !bounds)) {
    d.state = api::AlertState::kInconclusive;
    d.value = measurable ? m.value : std::nullopt;
    if (!measurable) {
      d.message = metric + " over " + window + ": " + (m.why.empty() ? "no value" : m.why) + " (" +
                  samples + ")";
    } else if (m.samples < rule.min_samples) {
      d.message = metric + " over " + window + ": " + samples + ", fewer than minSamples " +
                  std::to_string(rule.min_samples);
    } else {
      d.message = metric + " over " + window + ": no confidence bound for this metric";
    }
  } else {
    double value = *m.value;
    const bool had_value = memory.value && std::isfinite(*memory.value) &&
                           memory.state != api::AlertState::kInconclusive;
    if (rule.smoothing && rule.smoothing->ema_alpha > 0 && had_value) {
      const double previous =
          memory.smoothed && std::isfinite(*memory.smoothed) ? *memory.smoothed : *memory.value;
      metrics::Ema ema(rule.smoothing->ema_alpha, previous);
      value = ema.Update(value);
    }
    d.value = value;
    bool holds = rule.ConditionHolds(value);
    bool clear = !holds;
    std::string comparison;
    if (bounds) {
      // The bound on the side where the condition means trouble, and the other.
      const bool high_is_bad =
          rule.op == api::ComparisonOp::kGreater || rule.op == api::ComparisonOp::kGreaterOrEqual;
      const double bad = high_is_bad ? bounds->lower : bounds->upper;
      const double safe = high_is_bad ? bounds->upper : bounds->lower;
      d.lower = bounds->lower;
      d.upper = bounds->upper;
      holds = rule.ConditionHolds(bad);
      clear = !rule.ConditionHolds(safe);
      const std::string level = Percent(*rule.confidence);
      const std::string bad_side = high_is_bad ? "lower" : "upper";
      const std::string safe_side = high_is_bad ? "upper" : "lower";
      if (holds) {
        comparison = metric + " " + FormatValue(value) + " (" + level + " " + bad_side + " bound " +
                     FormatValue(bad) + ") " + op + " " + FormatValue(rule.threshold);
      } else if (clear) {
        comparison = metric + " " + FormatValue(value) + " (" + level + " " + safe_side +
                     " bound " + FormatValue(safe) + ") not " + op + " " +
                     FormatValue(rule.threshold);
      } else {
        comparison = metric + " " + FormatValue(value) + " (" + level + " bounds " +
                     FormatValue(bounds->lower) + " to " + FormatValue(bounds->upper) +
                     "): not enough evidence whether " + op + " " + FormatValue(rule.threshold);
      }
    } else {
      comparison = metric + " " + FormatValue(value) + " " + (holds ? "" : "not ") + op + " " +
                   FormatValue(rule.threshold);
    }
    comparison += " over " + window + " (" + samples + ")";
    if (!holds && !clear) {
      d.state = api::AlertState::kInconclusive;
    } else if (!holds) {
      d.state = api::AlertState::kInactive;
    } else if (memory.state == api::AlertState::kFiring || episode) {
      d.state = api::AlertState::kFiring;  // Firing, or back to it within the episode
    } else if (memory.state == api::AlertState::kPending && memory.since &&
               now - *memory.since >= rule.for_duration) {
      d.state = api::AlertState::kFiring;
    } else if (memory.state == api::AlertState::kPending) {
      d.state = api::AlertState::kPending;
    } else {
      d.state =
          rule.for_duration.count() == 0 ? api::AlertState::kFiring : api::AlertState::kPending;
    }
    d.message = comparison;
    if (d.state == api::AlertState::kPending) {
      d.message += "; firing after " + api::FormatDuration(rule.for_duration);
    }
  }
  // A state keeps its start; a new state (or one whose start was lost) starts now,
  // rounded up to the whole second status times have: compared with the exact
  // clock, `for` is then never cut short by the rounding.
  d.since = d.state == memory.state && memory.since ? *memory.since
                                                    : std::chrono::ceil<std::chrono::seconds>(now);
  if (d.state == api::AlertState::kFiring) {
    if (episode) d.since = *episode;
    d.episode = d.since;
  } else if (d.state == api::AlertState::kInconclusive) {
    d.episode = episode;
  } else if (d.state == api::AlertState::kInactive) {
    d.resolved = episode.has_value();
  }
  return d;
}

}  // namespace mm::op
