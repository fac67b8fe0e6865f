#pragma once

#include <optional>
#include <string>

#include "common/api/model_monitor.h"
#include "common/format_value.h"
#include "common/metrics/confidence_bounds.h"
#include "common/rfc3339.h"
#include "operator/alerts/monitor_window.h"

namespace mm::op {

// What the last evaluation left of one alert (its entry in status.alerts), so a
// restarted or new leader continues the same state machine.
struct AlertMemory {
  api::AlertState state = api::AlertState::kInactive;
  std::optional<double> value;  // the last (smoothed) value, as shown (4 digits)
  std::optional<SystemTime> since;
  // The exact EMA state (status.alerts[].smoothedValue, full precision); when
  // set, smoothing continues from it rather than from the rounded `value`.
  std::optional<double> smoothed;
  // status.alerts[].episodeSince: the episode a Firing (or Inconclusive after
  // Firing) alert is in.
  std::optional<SystemTime> episode;
};

struct AlertDecision {
  api::AlertState previous = api::AlertState::kInactive;
  api::AlertState state = api::AlertState::kInactive;
  std::optional<double> value;  // after smoothing; unset when nothing was measured
  std::optional<double> raw;    // before smoothing
  // With `confidence`: the one-sided bounds at that level (ConfidenceBounds).
  std::optional<double> lower;
  std::optional<double> upper;
  int64_t samples = 0;
  SystemTime since;       // when `state` began (for Firing: the episode's start)
  std::string message;    // "latency_p99_seconds 0.31 > 0.25 over 5m (120 samples)"
  bool external = false;  // Firing because Alertmanager said so (ApplyExternalAlert)
  // The episode this decision is in: set while Firing, and while Inconclusive
  // after Firing (status.alerts[].episodeSince).
  std::optional<SystemTime> episode;
  // The alert left its episode for Inactive (from Firing, or from Inconclusive
  // after Firing): AlertResolved.
  bool resolved = false;

  bool transitioned() const { return previous != state; }
};

// The one-sided bounds of a measurement at level `confidence` (0.5 to 1), from
// its evidence (common/metrics/confidence_bounds.h): Wilson score for
// proportions, Hanley-McNeil for AUC, a t interval for MAE, chi-square for RMSE,
// order statistics of the histogram for latency quantiles. nullopt when the
// metric has no interval (no evidence).
std::optional<metrics::Bounds> ConfidenceBounds(const Measurement& m, double confidence);

// One step of an alert's state machine (docs/alerts.md, "Lifecycle"):
//   no value, a non-finite value, or samples < minSamples -> Inconclusive (never Firing)
//   condition false                                       -> Inactive
//   condition true: Inactive/Inconclusive -> Pending (or Firing when `for` is 0);
//                   Pending for at least `for`            -> Firing
// An episode begins when the alert turns Firing and ends when it turns
// Inactive (`resolved`). Inconclusive does not end it: the alert keeps the
// episode, and with the condition true again it is Firing at once with the
// episode's `since` (so no second action); Inactive from there is resolved.
// With `confidence`, "condition true" is "true of the bound on the bad side"
// (the lower bound for > and >=, the upper for < and <=), "condition false" is
// "false of the bound on the safe side", and in between the alert is
// Inconclusive: it fires only on evidence, and is Inactive only on evidence.
// Smoothing (emaAlpha a): y = a*y_prev + (1-a)*x, where y_prev is the last
// smoothed value while the alert was measurable (memory.smoothed, exact, when
// set); the first value is taken as is.
// `since` of a new state is `now` rounded up to the second (status times are
// whole seconds); `now` itself is compared exactly, so `for` is never cut short.
// Pure: the clock and the memory are arguments.
AlertDecision EvaluateRule(const api::AlertRule& rule, const Measurement& m,
                           const AlertMemory& memory, SystemTime now);

// An Alertmanager report of the same alert (status.externalAlerts): while it is
// Firing (and `now` is before its endsAt, when it has one), the alert is Firing,
// its episode starting at Alertmanager's startsAt, its value Alertmanager's when
// it sent one. An alert already Firing here, or Inconclusive within an episode,
// keeps its own episode. Returns
// whether the report changed the decision.
bool ApplyExternalAlert(const api::ExternalAlert& report, SystemTime now, AlertDecision* d);

}  // namespace mm::op
