// Pulling many sidecars: bounded concurrency, every pod either answers or is
// reported with why, answers parsed with the sidecar's own readers.
#include "operator/alerts/snapshot_collector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace mm::op {
namespace {

using nlohmann::json;

json SnapshotJson(uint64_t requests) {
  metrics::SidecarSnapshot s;
  s.bucket_seconds = 10;
  metrics::BucketStats b;
  b.start_unix = 1'800'000'000;
  b.requests = requests;
  s.buckets.push_back(b);
  return s.ToJson();
}

class FakeFetcher : public SnapshotFetcher {
 public:
  std::map<std::string, Result<json>> answers;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::mutex mu;
  std::vector<std::string> tokens;

  Result<json> Fetch(const SidecarEndpoint& e, int64_t, const std::string& token) override {
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // overlap, not synchronisation
    --in_flight;
    {
      std::lock_guard<std::mutex> lock(mu);
      tokens.push_back(token);
    }
    auto it = answers.find(e.pod);
    if (it == answers.end()) return Error{"connect: Connection refused"};
    return it->second;
  }
};

TEST(SnapshotCollectorTest, EveryPodAnswersOrIsReportedInOrder) {
  FakeFetcher fetcher;
  std::vector<SidecarEndpoint> endpoints;
  for (int i = 0; i < 20; ++i) {
    const std::string pod = "pod-" + std::to_string(i);
    endpoints.push_back({pod, "127.0.0." + std::to_string(i + 1), 9090});
    if (i % 5 != 3) fetcher.answers.emplace(pod, SnapshotJson(static_cast<uint64_t>(i)));
  }
  json wrong_version = SnapshotJson(1);
  wrong_version["version"] = 9;
  fetcher.answers.erase("pod-4");
  fetcher.answers.emplace("pod-4", wrong_version);

  SnapshotCollector collector(fetcher, 4);
  Collection c = collector.Collect(endpoints, 0, "tok");
  EXPECT_EQ(c.asked(), 20);
  ASSERT_EQ(c.failed.size(), 5u);  // pods 3, 8, 13, 18 refused; pod 4 unreadable
  EXPECT_EQ(c.failed[0].pod, "pod-3");
  EXPECT_EQ(c.failed[0].reason, "connect: Connection refused");
  EXPECT_EQ(c.failed[1].pod, "pod-4");
  EXPECT_NE(c.failed[1].reason.find("version 9 is not supported"), std::string::npos);
  ASSERT_EQ(c.snapshots.size(), 15u);
  EXPECT_EQ(c.snapshots[0].pod, "pod-0");
  EXPECT_EQ(c.snapshots[1].requests.buckets[0].requests, 1u);
  EXPECT_LE(fetcher.max_in_flight.load(), 4);
  for (const auto& t : fetcher.tokens) EXPECT_EQ(t, "tok");
}

}  // namespace
}  // namespace mm::op
