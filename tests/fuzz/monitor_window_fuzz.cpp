// What the operator does with each sidecar's /v1/snapshot answer (untrusted: any
// pod can answer anything): parse it with the collector, merge it with itself as
// a second pod's, and compute every metric of the catalogue over two windows.
// Never crashes, never loops.
#include <cstdint>
#include <string_view>

#include "operator/alerts/monitor_window.h"
#include "operator/alerts/snapshot_collector.h"

namespace {

class OneAnswer : public mm::op::SnapshotFetcher {
 public:
  explicit OneAnswer(nlohmann::json j) : j_(std::move(j)) {}
  mm::Result<nlohmann::json> Fetch(const mm::op::SidecarEndpoint&, int64_t,
                                   const std::string&) override {
    return j_;
  }

 private:
  nlohmann::json j_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size),
                                 nullptr, false);
  if (j.is_discarded()) return 0;
  OneAnswer fetcher(j);
  mm::op::SnapshotCollector collector(fetcher, 2);
  mm::op::Collection c =
      collector.Collect({{"a", "127.0.0.1", 1}, {"b", "127.0.0.2", 1}}, 0, "token");
  const mm::op::MonitorWindow w = mm::op::MonitorWindow::Merge(c);
  // The operator's clock, not the pod's: near the document's time when it is sane.
  int64_t now = 1'795'336'500;
  if (j.is_object() && j.contains("generatedAt") && j["generatedAt"].is_number_integer()) {
    const int64_t t = j["generatedAt"].get<int64_t>();
    if (t > 0 && t < 4'000'000'000) now = t;
  }
  for (const auto& info : mm::api::MetricCatalogue()) {
    for (auto window : {std::chrono::seconds(10), std::chrono::seconds(3600)}) {
      (void)w.Measure(info.metric, window, now);
    }
  }
  return 0;
}
