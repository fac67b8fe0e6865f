#include "sidecar/metrics/time_buckets.h"

#include <algorithm>
#include <iterator>

namespace mm::sidecar {

void BucketStats::Add(const RequestObservation& o) {
  ++requests;
  const int cls = o.status / 100;
  if (cls >= 1 && cls <= 5) ++responses_by_class[cls];
  if (o.upstream_unavailable) ++upstream_unavailable;
  if (o.upstream_timeout) ++upstream_timeout;
  latency_seconds.Record(o.latency_seconds);
  if (o.stream) ++streams;
  if (o.ttft_seconds) ttft_seconds.Record(*o.ttft_seconds);
  if (o.tokens_per_second) tokens_per_second.Record(*o.tokens_per_second);
  output_tokens += o.output_tokens;
}

void BucketStats::Merge(const BucketStats& other) {
  requests += other.requests;
  for (int i = 0; i < 6; ++i) responses_by_class[i] += other.responses_by_class[i];
  upstream_unavailable += other.upstream_unavailable;
  upstream_timeout += other.upstream_timeout;
  streams += other.streams;
  output_tokens += other.output_tokens;
  predictions_recorded += other.predictions_recorded;
  predictions_dropped += other.predictions_dropped;
  extraction_errors += other.extraction_errors;
  resource_readings += other.resource_readings;
  latency_seconds.Merge(other.latency_seconds);
  ttft_seconds.Merge(other.ttft_seconds);
  tokens_per_second.Merge(other.tokens_per_second);
}

nlohmann::json BucketStats::ToJson() const {
  return nlohmann::json{
      {"start", start_unix},
      {"requests", requests},
      {"responses",
       {{"1xx", responses_by_class[1]},
        {"2xx", responses_by_class[2]},
        {"3xx", responses_by_class[3]},
        {"4xx", responses_by_class[4]},
        {"5xx", responses_by_class[5]}}},
      {"upstreamErrors", {{"unavailable", upstream_unavailable}, {"timeout", upstream_timeout}}},
      {"streams", streams},
      {"outputTokens", output_tokens},
      {"predictions",
       {{"recorded", predictions_recorded},
        {"dropped", predictions_dropped},
        {"extractionErrors", extraction_errors}}},
      {"resourceReadings", resource_readings},
      {"latencySeconds", latency_seconds.ToJson()},
      {"ttftSeconds", ttft_seconds.ToJson()},
      {"tokensPerSecond", tokens_per_second.ToJson()}};
}

namespace {

Status ReadCount(const nlohmann::json& j, const char* key, uint64_t* out,
                 const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0) {
    return Error{where + "." + key + ": expected a non-negative integer"};
  }
  *out = it->get<uint64_t>();
  return OkStatus();
}

}  // namespace

Result<BucketStats> BucketStats::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Error{"bucket: expected an object"};
  BucketStats b;
  auto start = j.find("start");
  if (start == j.end() || !start->is_number_integer()) {
    return Error{"bucket.start: expected unix seconds (integer)"};
  }
  b.start_unix = start->get<int64_t>();
  const nlohmann::json empty = nlohmann::json::object();
  auto sub = [&](const char* key) -> const nlohmann::json& {
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
  };
  const char* classes[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
  std::vector<Status> checks = {
      ReadCount(j, "requests", &b.requests, "bucket"),
      ReadCount(j, "streams", &b.streams, "bucket"),
      ReadCount(j, "outputTokens", &b.output_tokens, "bucket"),
      ReadCount(sub("upstreamErrors"), "unavailable", &b.upstream_unavailable,
                "bucket.upstreamErrors"),
      ReadCount(sub("upstreamErrors"), "timeout", &b.upstream_timeout, "bucket.upstreamErrors"),
      ReadCount(sub("predictions"), "recorded", &b.predictions_recorded, "bucket.predictions"),
      ReadCount(sub("predictions"), "dropped", &b.predictions_dropped, "bucket.predictions"),
      ReadCount(sub("predictions"), "extractionErrors", &b.extraction_errors,
                "bucket.predictions")};
  for (int i = 1; i <= 5; ++i) {
    checks.push_back(
        ReadCount(sub("responses"), classes[i], &b.responses_by_class[i], "bucket.responses"));
  }
  // Absent from sidecars older than the field: no reading counted.
  if (j.contains("resourceReadings")) {
    checks.push_back(ReadCount(j, "resourceReadings", &b.resource_readings, "bucket"));
  }
  for (const auto& s : checks) {
    if (!s.ok()) return s.error();
  }
  struct {
    const char* key;
    LogHistogram* out;
  } hists[] = {{"latencySeconds", &b.latency_seconds},
               {"ttftSeconds", &b.ttft_seconds},
               {"tokensPerSecond", &b.tokens_per_second}};
  for (const auto& h : hists) {
    auto parsed = LogHistogram::FromJson(sub(h.key));
    if (!parsed) return Error{std::string("bucket.") + h.key + ": " + parsed.error().message};
    *h.out = std::move(parsed.value());
  }
  return b;
}

TimeBuckets::TimeBuckets(std::chrono::seconds width, size_t capacity)
    : width_(std::max(width, std::chrono::seconds(1))), capacity_(std::max<size_t>(capacity, 1)) {}

BucketStats& TimeBuckets::BucketFor(std::chrono::system_clock::time_point t) {
  const int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const int64_t w = width_.count();
  const int64_t start = secs - ((secs % w) + w) % w;
  if (!buckets_.empty() && buckets_.back().start_unix == start) return buckets_.back();
  // Usually the newest bucket; a late observation (clock step, slow request) may
  // belong to an older one, inserted in order.
  auto pos = buckets_.end();
  while (pos != buckets_.begin() && std::prev(pos)->start_unix > start) --pos;
  if (pos != buckets_.begin() && std::prev(pos)->start_unix == start) return *std::prev(pos);
  if (pos == buckets_.begin() && buckets_.size() >= capacity_) {
    too_old_ = BucketStats{};  // older than everything kept: counted nowhere
    return too_old_;
  }
  pos = buckets_.insert(pos, BucketStats{});
  pos->start_unix = start;
  const int64_t keep_from = start;
  while (buckets_.size() > capacity_ && buckets_.front().start_unix != keep_from) {
    buckets_.pop_front();
  }
  for (auto& b : buckets_) {
    if (b.start_unix == start) return b;
  }
  return buckets_.back();  // unreachable: the bucket was just inserted
}

void TimeBuckets::Record(const RequestObservation& o) {
  std::lock_guard<std::mutex> lock(mu_);
  BucketFor(o.time).Add(o);
}

void TimeBuckets::CountPredictions(std::chrono::system_clock::time_point t, bool recorded,
                                   uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& b = BucketFor(t);
  (recorded ? b.predictions_recorded : b.predictions_dropped) += n;
}

void TimeBuckets::CountResourceReading(std::chrono::system_clock::time_point t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++BucketFor(t).resource_readings;
}

void TimeBuckets::CountExtractionError(std::chrono::system_clock::time_point t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++BucketFor(t).extraction_errors;
}

std::vector<BucketStats> TimeBuckets::Since(int64_t since_unix) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BucketStats> out;
  for (const auto& b : buckets_) {
    if (b.start_unix >= since_unix) out.push_back(b);
  }
  return out;
}

}  // namespace mm::sidecar
