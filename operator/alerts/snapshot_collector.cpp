#include "operator/alerts/snapshot_collector.h"

#include <atomic>
#include <thread>
#include <variant>

namespace mm::op {
Collection SnapshotCollector::Collect(const std::vector<SidecarEndpoint>& endpoints,
                                      int64_t since_unix, const std::string& bearer_token) {
  std::vector<std::variant<PodSnapshot, PodFailure>> results(endpoints.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < endpoints.size(); i = next++) {
      const SidecarEndpoint& e = endpoints[i];
      auto body = fetcher_.Fetch(e, since_unix, bearer_token);
      if (!body) {
        results[i] = PodFailure{e.pod, body.error().message};
        continue;
      }
      auto snapshot = metrics::SidecarSnapshot::FromJson(*body);
      if (!snapshot) {
        results[i] = PodFailure{e.pod, snapshot.error().message};
        continue;
      }
      PodSnapshot ps{e.pod, std::move(snapshot.value()), std::nullopt};
      if (body->contains("accuracy")) {
        auto accuracy = metrics::AccuracySnapshotFromJson((*body)["accuracy"]);
        if (!accuracy) {
          results[i] = PodFailure{e.pod, "accuracy: " + accuracy.error().message};
          continue;
        }
        ps.accuracy = std::move(accuracy.value());
      }
      results[i] = std::move(ps);
    }
  };
  const size_t threads = std::min(endpoints.size(), static_cast<size_t>(concurrency_));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  Collection out;
  for (auto& r : results) {
    if (auto* s = std::get_if<PodSnapshot>(&r)) {
      out.snapshots.push_back(std::move(*s));
    } else {
      out.failed.push_back(std::move(std::get<PodFailure>(r)));
    }
  }
  return out;
}

}  // namespace mm::op
