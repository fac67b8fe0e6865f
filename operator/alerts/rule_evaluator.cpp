#include "operator/alerts/rule_evaluator.h"

#include <cmath>
#include <cstdio>

namespace mm::op {

std::string FormatValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string FormatValue(const std::optional<double>& v) { return v ? FormatValue(*v) : "unknown"; }

bool ApplyExternalAlert(const api::ExternalAlert& report, SystemTime now, AlertDecision* d) {
  if (!report.firing || d->state == api::AlertState::kFiring) return false;
  if (const auto ends = ParseRfc3339(report.ends); ends && *ends <= now) return false;
  const auto since = ParseRfc3339(report.since);
  if (!since) return false;
  d->state = api::AlertState::kFiring;
  d->since = *since;
  d->external = true;
  if (report.value) d->value = report.value;
  d->message = "firing in Alertmanager since " + report.since +
               (report.value ? " with value " + FormatValue(*report.value) : "") +
               (report.message.empty() ? "" : " (" + report.message + ")") +
               "; measured here: " + d->message;
  return true;
}

AlertDecision EvaluateRule(const api::AlertRule& rule, const Measurement& m,
                           const AlertMemory& memory, SystemTime now) {
  AlertDecision d;
  d.previous = memory.state;
  d.samples = m.samples;
  d.raw = m.value;
  const std::string metric(api::ToString(rule.metric));
  const std::string window = api::FormatDuration(rule.window);
  const std::string samples = std::to_string(m.samples) + " samples";
  const bool measurable = m.value && std::isfinite(*m.value);

  if (!measurable || m.samples < rule.min_samples) {
    d.state = api::AlertState::kInconclusive;
    d.value = measurable ? m.value : std::nullopt;
    d.message =
        metric + " over " + window + ": " +
        (measurable ? samples + ", fewer than minSamples " + std::to_string(rule.min_samples)
                    : (m.why.empty() ? "no value" : m.why) + " (" + samples + ")");
  } else {
    double value = *m.value;
    const bool had_value = memory.value && std::isfinite(*memory.value) &&
                           memory.state != api::AlertState::kInconclusive;
    if (rule.smoothing && rule.smoothing->ema_alpha > 0 && had_value) {
      const double a = rule.smoothing->ema_alpha;
      value = a * *memory.value + (1 - a) * value;
    }
    d.value = value;
    const bool holds = rule.ConditionHolds(value);
    const std::string comparison = metric + " " + FormatValue(value) + " " + (holds ? "" : "not ") +
                                   std::string(api::ToString(rule.op)) + " " +
                                   FormatValue(rule.threshold) + " over " + window + " (" +
                                   samples + ")";
    if (!holds) {
      d.state = api::AlertState::kInactive;
    } else if (memory.state == api::AlertState::kFiring) {
      d.state = api::AlertState::kFiring;
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
  return d;
}

}  // namespace mm::op
