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
Measurement BusiestPod(const std::vector<nlohmann::json>& resources, const std::string& what,
                       F read) {
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

std::optional<double> NumberAt(const nlohmann::json& r, const char* key) {
  const auto it = r.find(key);
  if (it == r.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Over a pod's GPUs: the mean utilization, or the summed memory used.
std::optional<double> Gpus(const nlohmann::json& r, bool memory) {
  const auto gpus = r.find("gpus");
  if (gpus == r.end() || !gpus->is_array() || gpus->empty()) return std::nullopt;
  double sum = 0;
  int n = 0;
  for (const auto& g : *gpus) {
    if (!g.is_object()) continue;
    if (auto v = NumberAt(g, memory ? "memoryUsedBytes" : "utilization")) {
      sum += *v;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return memory ? sum : sum / n;
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
    if (p.requests.resources.is_object() && !p.requests.resources.empty()) {
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
          return Value(b.ttft_seconds.Quantile(info.quantile), n, name);
        }
        case M::kErrorRate:
          if (requests == 0) return None(0, "no request in the window");
          return Value(static_cast<double>(b.responses_by_class[5]) / static_cast<double>(requests),
                       requests, name);
        case M::kRequestsPerSecond: {
          const int64_t seconds = Seconds(window);
          if (seconds <= 0) return None(requests, "the window is shorter than a second");
          return Value(static_cast<double>(requests) / static_cast<double>(seconds), requests,
                       name);
        }
        default: {  // latency quantiles
          const auto n = static_cast<int64_t>(b.latency_seconds.count());
          if (n == 0) return None(0, "no request in the window");
          return Value(b.latency_seconds.Quantile(info.quantile), n, name);
        }
      }
    }
    case api::MetricSource::kResources:
      switch (metric) {
        case M::kCpuCores:
          return BusiestPod(resources_, "cpuCores",
                            [](const nlohmann::json& r) { return NumberAt(r, "cpuCores"); });
        case M::kMemoryBytes:
          return BusiestPod(resources_, "workingSetBytes or residentMemoryBytes",
                            [](const nlohmann::json& r) {
                              auto ws = NumberAt(r, "workingSetBytes");
                              return ws ? ws : NumberAt(r, "residentMemoryBytes");
                            });
        case M::kGpuUtilization:
          return BusiestPod(resources_, "GPU utilization",
                            [](const nlohmann::json& r) { return Gpus(r, false); });
        default:
          return BusiestPod(resources_, "GPU memory",
                            [](const nlohmann::json& r) { return Gpus(r, true); });
      }
    case api::MetricSource::kLabels:
    case api::MetricSource::kPredictions: {
      if (!accuracy_) return None(0, "the sidecars keep no ground truth (spec.groundTruth)");
      const metrics::TimeMs bucket_ms =
          std::clamp<metrics::TimeMs>(accuracy_->config.bucket_ms, 1, 86'400'000);
      const metrics::TimeMs to = (now_unix + 1) * 1000;
      const metrics::TimeMs from = (now_unix - Seconds(window)) * 1000 - bucket_ms + 1;
      const metrics::AccuracyReport r = accuracy_->Report(from, to);
      auto count = [&](const char* key) {
        auto it = r.find(key);
        return it == r.end() ? int64_t{0} : static_cast<int64_t>(it->second);
      };
      const int64_t samples = info.source == api::MetricSource::kPredictions
                                  ? count("samples")
                                  : count("labeled_samples");
      auto it = r.find(name);
      if (it == r.end()) {
        return None(samples, info.source == api::MetricSource::kPredictions
                                 ? "no reference or no prediction in the window"
                                 : "undefined for the labels in the window (none yet, or one "
                                   "class only)");
      }
      return Value(it->second, samples, name);
    }
  }
  return None(0, "unknown metric");
}

}  // namespace mm::op
