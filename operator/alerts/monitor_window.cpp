#include "operator/alerts/monitor_window.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace mm::op {
namespace {

int64_t Seconds(api::Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

Measurement Value(double v, int64_t samples, const std::string& what) {
  if (!std::isfinite(v)) return {std::nullopt, samples, what + " is not a finite number"};
  return {v, samples, ""};
}

Measurement None(int64_t samples, std::string why) { return {std::nullopt, samples, why}; }

// The largest value of `read` over the pods' latest resource readings.
template <typename F>
Measurement BusiestPod(const std::vector<metrics::ResourceReading>& resources,
                       const std::string& what, F read) {
  std::optional<double> best;
  int64_t pods = 0;
  for (const auto& r : resources) {
    std::optional<double> v = read(r);
    if (!v || !std::isfinite(*v)) continue;
    ++pods;
    best = best ? std::max(*best, *v) : *v;
  }
  if (!best) return None(0, "no pod reported " + what);
  return {best, pods, ""};
}

Measurement QuantileOf(const metrics::LogHistogram& h, double q, const std::string& what) {
  const auto n = static_cast<int64_t>(h.count());
  Measurement m = Value(h.Quantile(q), n, what);
  m.evidence.kind = Evidence::Kind::kQuantile;
  m.evidence.count = n;
  m.evidence.quantile = q;
  m.evidence.histogram = std::make_shared<const metrics::LogHistogram>(h);
  return m;
}

Measurement Proportion(int64_t successes, int64_t trials, int64_t samples,
                       const std::string& what) {
  Measurement m =
      Value(static_cast<double>(successes) / static_cast<double>(trials), samples, what);
  m.evidence.kind = Evidence::Kind::kProportion;
  m.evidence.successes = successes;
  m.evidence.count = trials;
  return m;
}

// The counts of one merged accuracy window that samples and confidence bounds
// are taken from. Binary rows are 0 = negative, 1 = positive.
struct LabelCounts {
  bool binary = false;
  int64_t classified = 0;  // measurable joined classification rows
  int64_t correct = 0;
  int64_t tp = 0, fp = 0, fn = 0;
  int64_t auc_positives = 0, auc_negatives = 0;  // binary rows with a score
  int64_t scored = 0;                            // rows with scores (log_loss)
  metrics::RegressionSums regression;
  int64_t joined = 0, resolved = 0;  // label_coverage

  int64_t SamplesOf(api::Metric metric, int64_t recorded) const {
    using M = api::Metric;
    switch (metric) {
      case M::kAccuracy:
        return classified;
      case M::kPrecision:
        return binary ? tp + fp : classified;
      case M::kRecall:
        return binary ? tp + fn : classified;
      case M::kF1:
        return binary ? tp + fp + fn : classified;
      case M::kAucRoc:
        return std::min(auc_positives, auc_negatives);
      case M::kLogLoss:
        return scored;
      case M::kLabelCoverage:
        return resolved;
      case M::kPredictionPsi:
        return recorded;
      default:  // regression
        return regression.count;
    }
  }

  Evidence EvidenceOf(api::Metric metric, const metrics::AccuracyReport& r) const {
    using M = api::Metric;
    Evidence e;
    const auto proportion = [&](int64_t successes, int64_t trials) {
      e.kind = Evidence::Kind::kProportion;
      e.successes = successes;
      e.count = trials;
    };
    switch (metric) {
      case M::kAccuracy:
        proportion(correct, classified);
        break;
      case M::kPrecision:
        if (binary) proportion(tp, tp + fp);
        break;
      case M::kRecall:
        if (binary) proportion(tp, tp + fn);
        break;
      case M::kLabelCoverage:
        proportion(joined, resolved);
        break;
      case M::kAucRoc:
        if (binary) {
          e.kind = Evidence::Kind::kAuc;
          e.count = auc_positives;
          e.negatives = auc_negatives;
          e.auc = r.auc_roc.value_or(0);
          e.auc_binning_error = r.auc_roc_error_bound.value_or(0);
        }
        break;
      case M::kMae:
      case M::kRmse:
        e.kind = metric == M::kMae ? Evidence::Kind::kMeanAbsoluteError
                                   : Evidence::Kind::kRootMeanSquaredError;
        e.count = regression.count;
        e.abs_error_sum = regression.abs_error_sum;
        e.squared_error_sum = regression.squared_error_sum;
        break;
      default:
        break;
    }
    return e;
  }
};

LabelCounts CountLabels(const metrics::AccuracyBucket& b, const metrics::AccuracyConfig& config) {
  LabelCounts c;
  c.binary = config.task == api::Task::kBinaryClassification;
  for (const auto& [key, n] : b.confusion) {
    const auto [label, predicted] = key;
    c.classified += n;
    if (label == predicted) c.correct += n;
    if (label == 1 && predicted == 1) c.tp += n;
    if (label != 1 && predicted == 1) c.fp += n;
    if (label == 1 && predicted != 1) c.fn += n;
  }
  if (const auto s = b.scores.find(1); c.binary && s != b.scores.end()) {
    for (const auto& [bin, n] : s->second.bins()) {
      c.auc_positives += n.positive;
      c.auc_negatives += n.negative;
    }
  }
  c.scored = b.log_loss_count;
  c.regression = b.regression;
  c.joined = b.joined;
  c.resolved = b.joined + b.expired + b.evicted;
  return c;
}

}  // namespace

MonitorWindow MonitorWindow::Merge(Collection& c) {
  MonitorWindow w;
  metrics::SidecarSnapshot merged;
  std::vector<PodSnapshot> kept;
  for (auto& p : c.snapshots) {
    // Check both parts before adding either, so a refused pod adds nothing.
    if (!kept.empty() && p.requests.bucket_seconds != merged.bucket_seconds) {
      c.failed.push_back(
          {p.pod, "its snapshot buckets are " + std::to_string(p.requests.bucket_seconds) +
                      " s wide, the other pods' " + std::to_string(merged.bucket_seconds) + " s"});
      continue;
    }
    if (p.accuracy) {
      if (!w.accuracy_) {
        w.accuracy_ = *p.accuracy;
      } else if (auto m = w.accuracy_->Merge(*p.accuracy); !m) {
        c.failed.push_back({p.pod, "accuracy: " + m.error().message});
        continue;
      }
    }
    if (kept.empty()) {
      merged = p.requests;
    } else {
      (void)merged.Merge(p.requests);  // widths checked above: cannot fail
    }
    if (!p.requests.resources.empty()) {
      w.resources_.push_back(p.requests.resources);
    }
    kept.push_back(std::move(p));
  }
  c.snapshots = std::move(kept);
  w.pods_ = static_cast<int>(c.snapshots.size());
  // Widths come from the pods: clamp them so window arithmetic cannot overflow.
  w.bucket_seconds_ = std::clamp<int64_t>(merged.bucket_seconds, 1, 86400);
  w.buckets_ = std::move(merged.buckets);
  return w;
}

metrics::BucketStats MonitorWindow::RequestsIn(api::Duration window, int64_t now_unix) const {
  metrics::BucketStats sum;
  const int64_t from = now_unix - Seconds(window);
  for (const auto& b : buckets_) {
    if (b.start_unix > from - bucket_seconds_ && b.start_unix <= now_unix) sum.Merge(b);
  }
  return sum;
}

Measurement MonitorWindow::Measure(api::Metric metric, api::Duration window,
                                   int64_t now_unix) const {
  using M = api::Metric;
  const api::MetricInfo& info = api::Describe(metric);
  const std::string name(info.name);
  if (pods_ == 0) return None(0, "no pod answered");
  switch (info.source) {
    case api::MetricSource::kRequests: {
      const metrics::BucketStats b = RequestsIn(window, now_unix);
      const auto requests = static_cast<int64_t>(b.requests);
      switch (metric) {
        case M::kTtftP99Seconds: {
          const auto n = static_cast<int64_t>(b.ttft_seconds.count());
          if (n == 0) return None(0, "no streamed response in the window");
          return QuantileOf(b.ttft_seconds, info.quantile, name);
        }
        case M::kErrorRate: {
          if (requests == 0) return None(0, "no request in the window");
          const auto errors = static_cast<int64_t>(b.responses_by_class[5]);
          return Proportion(errors, requests, requests, name);
        }
        case M::kRequestsPerSecond: {
          const int64_t seconds = Seconds(window);
          if (seconds <= 0) return None(requests, "the window is shorter than a second");
          return Value(static_cast<double>(requests) / static_cast<double>(seconds), requests,
                       name);
        }
        default: {  // latency quantiles
          if (b.latency_seconds.count() == 0) return None(0, "no request in the window");
          return QuantileOf(b.latency_seconds, info.quantile, name);
        }
      }
    }
    case api::MetricSource::kResources: {
      Measurement m;
      switch (metric) {
        case M::kCpuCores:
          m = BusiestPod(resources_, "cpuCores",
                         [](const metrics::ResourceReading& r) { return r.cpu_cores; });
          break;
        case M::kMemoryBytes:
          m = BusiestPod(resources_, "workingSetBytes or residentMemoryBytes",
                         [](const metrics::ResourceReading& r) { return r.memory_bytes(); });
          break;
        case M::kGpuUtilization:
          m = BusiestPod(resources_, "GPU utilization",
                         [](const metrics::ResourceReading& r) { return r.gpu_utilization(); });
          break;
        default:
          m = BusiestPod(resources_, "GPU memory",
                         [](const metrics::ResourceReading& r) { return r.gpu_memory_bytes(); });
          break;
      }
      // A sample is a reading over the window, all pods together (the buckets
      // count them); a sidecar too old to count readings counts as one per pod.
      const auto readings = static_cast<int64_t>(RequestsIn(window, now_unix).resource_readings);
      if (m.value) m.samples = std::max(m.samples, readings);
      return m;
    }
    case api::MetricSource::kLabels:
    case api::MetricSource::kPredictions: {
      if (!accuracy_) return None(0, "the sidecars keep no ground truth (spec.groundTruth)");
      const metrics::TimeMs bucket_ms =
          std::clamp<metrics::TimeMs>(accuracy_->config.bucket_ms, 1, 86'400'000);
      const metrics::TimeMs to = (now_unix + 1) * 1000;
      const metrics::TimeMs from = (now_unix - Seconds(window)) * 1000 - bucket_ms + 1;
      const metrics::AccuracyReport r = accuracy_->Report(from, to);
      const metrics::AccuracyBucket bucket = accuracy_->Window(from, to);
      const LabelCounts counts = CountLabels(bucket, accuracy_->config);
      Measurement m;
      m.samples = counts.SamplesOf(metric, info.source == api::MetricSource::kPredictions
                                               ? static_cast<int64_t>(bucket.recorded)
                                               : 0);
      const std::optional<double> value = r.Of(metric);
      if (!value) {
        m.why = info.source == api::MetricSource::kPredictions
                    ? "no reference or no prediction in the window"
                    : "undefined for the labels in the window (none yet, one class only, no "
                      "positive label for recall, no predicted positive for precision)";
        return m;
      }
      if (!std::isfinite(*value)) return None(m.samples, name + " is not a finite number");
      m.value = *value;
      m.evidence = counts.EvidenceOf(metric, r);
      return m;
    }
  }
  return None(0, "unknown metric");
}

}  // namespace mm::op
