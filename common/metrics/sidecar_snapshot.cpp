#include "common/metrics/sidecar_snapshot.h"

#include <map>

#include "common/metrics/log_histogram.h"

namespace mm::metrics {

nlohmann::json SidecarSnapshot::ToJson() const {
  nlohmann::json buckets_json = nlohmann::json::array();
  for (const auto& b : buckets) buckets_json.push_back(b.ToJson());
  return nlohmann::json{
      {"kind", kSnapshotKind},
      {"version", kSnapshotVersion},
      {"generatedAt", generated_at_unix},
      {"bucketSeconds", bucket_seconds},
      {"histogram",
       {{"relativeAccuracy", LogHistogram::kRelativeAccuracy},
        {"gamma", LogHistogram::Gamma()},
        {"bucket", "i holds (gamma^(i-1), gamma^i]; its value is 2*gamma^i/(gamma+1)"}}},
      {"buckets", buckets_json},
      {"resources", resources.ToJson()}};
}

Result<SidecarSnapshot> SidecarSnapshot::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("kind", "") != kSnapshotKind) {
    return Error{std::string("snapshot: kind must be ") + kSnapshotKind};
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != kSnapshotVersion) {
    return Error{"snapshot: version " + (j.contains("version") ? j["version"].dump() : "missing") +
                 " is not supported (this build reads version " + std::to_string(kSnapshotVersion) +
                 ")"};
  }
  SidecarSnapshot s;
  if (!j.contains("bucketSeconds") || !j["bucketSeconds"].is_number_integer() ||
      !j.contains("buckets") || !j["buckets"].is_array()) {
    return Error{"snapshot: bucketSeconds (integer) and buckets (array) are required"};
  }
  s.bucket_seconds = j["bucketSeconds"].get<int64_t>();
  s.generated_at_unix = j.value("generatedAt", int64_t{0});
  for (size_t i = 0; i < j["buckets"].size(); ++i) {
    auto b = BucketStats::FromJson(j["buckets"][i]);
    if (!b) return Error{"snapshot: buckets[" + std::to_string(i) + "]: " + b.error().message};
    s.buckets.push_back(std::move(b.value()));
  }
  if (j.contains("resources") && !j["resources"].is_null()) {
    auto resources = ResourceReading::FromJson(j["resources"]);
    if (!resources) return Error{"snapshot." + resources.error().message};
    s.resources = std::move(resources).value();
  }
  return s;
}

Status SidecarSnapshot::Merge(const SidecarSnapshot& other) {
  if (bucket_seconds != other.bucket_seconds) {
    return Error{"snapshot merge: bucket widths differ (" + std::to_string(bucket_seconds) +
                 "s and " + std::to_string(other.bucket_seconds) + "s)"};
  }
  std::map<int64_t, BucketStats> by_start;
  for (auto& b : buckets) by_start[b.start_unix] = std::move(b);
  for (const auto& b : other.buckets) {
    auto [it, inserted] = by_start.try_emplace(b.start_unix, b);
    if (!inserted) it->second.Merge(b);
  }
  buckets.clear();
  for (auto& [start, b] : by_start) buckets.push_back(std::move(b));
  generated_at_unix = std::max(generated_at_unix, other.generated_at_unix);
  return OkStatus();
}

}  // namespace mm::metrics
