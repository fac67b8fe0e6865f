#include "common/metrics/bucket_stats.h"

namespace mm::metrics {

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

}  // namespace mm::metrics
