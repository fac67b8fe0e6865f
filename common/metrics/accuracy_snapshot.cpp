#include "common/metrics/accuracy_snapshot.h"

#include <string>

#include "common/metrics/prediction_psi.h"

namespace mm::metrics {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "modelmonitor.io/accuracy";

json BinsToJson(const std::map<int64_t, int64_t>& bins) {
  json out = json::array();
  for (const auto& [bin, n] : bins) out.push_back({bin, n});
  return out;
}

json BucketToJson(TimeMs start, const AccuracyBucket& b, api::Task task) {
  json j = {
      {"start", start},
      {"recorded", b.recorded},
      {"joined", b.joined},
      {"expired", b.expired},
      {"evicted", b.evicted},
      {"joinedUnmeasurable", b.joined_unmeasurable},
      {"labelsUnknown", b.labels_unknown},
      {"labelsDuplicate", b.labels_duplicate},
      {"labelsInvalid", b.labels_invalid},
      {"labelDelay", {{"counts", b.label_delay_counts}, {"sumSeconds", b.label_delay_sum_seconds}}},
      {"predictionBins", BinsToJson(b.prediction_bins)}};
  if (task == api::Task::kRegression) {
    const auto& r = b.regression;
    j["regression"] = {{"count", r.count},
                       {"absErrorSum", r.abs_error_sum},
                       {"squaredErrorSum", r.squared_error_sum},
                       {"absPercentErrorSum", r.abs_percent_error_sum},
                       {"labelMean", r.label_mean},
                       {"labelM2", r.label_m2}};
    return j;
  }
  json confusion = json::array();
  for (const auto& [key, n] : b.confusion) confusion.push_back({key.first, key.second, n});
  json scores = json::array();
  for (const auto& [cls, h] : b.scores) {
    json bins = json::array();
    for (const auto& [bin, c] : h.bins()) bins.push_back({bin, c.negative, c.positive});
    scores.push_back({{"class", cls}, {"bins", std::move(bins)}});
  }
  j["classification"] = {{"confusion", std::move(confusion)},
                         {"logLossSum", b.log_loss_sum},
                         {"logLossCount", b.log_loss_count},
                         {"scores", std::move(scores)}};
  return j;
}

// Readers: each checks the type before reading, and names the field on error.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}
  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  const json* Field(const json& obj, const char* name, bool required = true) {
    if (!obj.is_object()) return Fail("", "an object");
    const auto it = obj.find(name);
    if (it == obj.end()) return required ? Fail(name, "present") : nullptr;
    return &*it;
  }
  template <typename T>
  void Int(const json& obj, const char* name, T* out, bool required = true) {
    const json* v = Field(obj, name, required);
    if (v == nullptr) return;
    if (!v->is_number_integer()) {
      Fail(name, "an integer");
      return;
    }
    *out = v->get<T>();
  }
  void Real(const json& obj, const char* name, double* out) {
    const json* v = Field(obj, name);
    if (v == nullptr) return;
    if (!v->is_number()) {
      Fail(name, "a number");
      return;
    }
    *out = v->get<double>();
  }
  // [[int, int, ...], ...] with `width` integers per row.
  bool Rows(const json& v, const std::string& where, size_t width) {
    if (!v.is_array()) return Fail(where, "an array"), false;
    for (const auto& row : v) {
      if (!row.is_array() || row.size() != width) return Fail(where, "rows of integers"), false;
      for (const auto& x : row) {
        if (!x.is_number_integer()) return Fail(where, "rows of integers"), false;
      }
    }
    return true;
  }
  // `where` is relative to this reader's path ("" for the object itself).
  std::nullptr_t Fail(const std::string& where, const char* want) {
    if (!error_.empty()) return nullptr;
    const std::string full = path_.empty() ? where : (where.empty() ? path_ : path_ + "." + where);
    error_ = "accuracy snapshot: " + (full.empty() ? std::string("document") : full) + " must be " +
             want;
    return nullptr;
  }

 private:
  std::string path_;
  std::string error_;
};

void BinsFromJson(const json& v, const std::string& where, Reader* r,
                  std::map<int64_t, int64_t>* out) {
  if (!r->Rows(v, where, 2)) return;
  for (const auto& row : v) (*out)[row[0].get<int64_t>()] += row[1].get<int64_t>();
}

void BucketFromJson(const json& j, api::Task task, Reader* r, TimeMs* start, AccuracyBucket* b) {
  r->Int(j, "start", start);
  r->Int(j, "recorded", &b->recorded);
  r->Int(j, "joined", &b->joined);
  r->Int(j, "expired", &b->expired);
  r->Int(j, "evicted", &b->evicted);
  r->Int(j, "joinedUnmeasurable", &b->joined_unmeasurable);
  r->Int(j, "labelsUnknown", &b->labels_unknown);
  r->Int(j, "labelsDuplicate", &b->labels_duplicate);
  r->Int(j, "labelsInvalid", &b->labels_invalid);
  if (const json* delay = r->Field(j, "labelDelay")) {
    const json* counts = r->Field(*delay, "counts");
    if (counts != nullptr) {
      if (!counts->is_array() || counts->size() != b->label_delay_counts.size()) {
        r->Fail("labelDelay.counts", "an array of one count per delay bucket");
      } else {
        for (size_t i = 0; i < counts->size(); ++i) {
          if (!(*counts)[i].is_number_integer()) {
            r->Fail("labelDelay.counts", "integers");
            return;
          }
          b->label_delay_counts[i] = (*counts)[i].get<int64_t>();
        }
      }
    }
    r->Real(*delay, "sumSeconds", &b->label_delay_sum_seconds);
  }
  if (const json* bins = r->Field(j, "predictionBins")) {
    BinsFromJson(*bins, "predictionBins", r, &b->prediction_bins);
  }
  if (task == api::Task::kRegression) {
    const json* reg = r->Field(j, "regression");
    if (reg == nullptr) return;
    auto& s = b->regression;
    r->Int(*reg, "count", &s.count);
    r->Real(*reg, "absErrorSum", &s.abs_error_sum);
    r->Real(*reg, "squaredErrorSum", &s.squared_error_sum);
    r->Real(*reg, "absPercentErrorSum", &s.abs_percent_error_sum);
    r->Real(*reg, "labelMean", &s.label_mean);
    r->Real(*reg, "labelM2", &s.label_m2);
    return;
  }
  const json* cls = r->Field(j, "classification");
  if (cls == nullptr) return;
  if (const json* confusion = r->Field(*cls, "confusion");
      confusion != nullptr && r->Rows(*confusion, "classification.confusion", 3)) {
    for (const auto& row : *confusion) {
      b->confusion[{row[0].get<int>(), row[1].get<int>()}] += row[2].get<int64_t>();
    }
  }
  r->Real(*cls, "logLossSum", &b->log_loss_sum);
  r->Int(*cls, "logLossCount", &b->log_loss_count);
  const json* scores = r->Field(*cls, "scores");
  if (scores == nullptr) return;
  if (!scores->is_array()) {
    r->Fail("classification.scores", "an array");
    return;
  }
  for (const auto& s : *scores) {
    int k = 0;
    r->Int(s, "class", &k);
    const json* bins = r->Field(s, "bins");
    if (bins == nullptr || !r->Rows(*bins, "classification.scores[].bins", 3)) return;
    for (const auto& row : *bins) {
      const int bin = row[0].get<int>();
      if (bin < 0 || bin >= ScoreHistogram::kBins) {
        r->Fail("classification.scores[].bins", "bins 0..9999");
        return;
      }
      b->scores[k].AddBin(bin, {row[1].get<int64_t>(), row[2].get<int64_t>()});
    }
  }
}

}  // namespace

json ToJson(const AccuracySnapshot& s) {
  json buckets = json::array();
  for (const auto& [start, b] : s.buckets) buckets.push_back(BucketToJson(start, b, s.config.task));
  return {{"format", kFormat},
          {"version", AccuracySnapshot::kVersion},
          {"task", api::ToString(s.config.task)},
          {"positiveClass", s.config.positive_class},
          {"threshold", s.config.threshold},
          {"bucketSeconds", s.config.bucket_ms / 1000},
          {"scoreBins", ScoreHistogram::kBins},
          {"labelDelayBoundsSeconds", kLabelDelayBoundsSeconds},
          {"reference",
           {{"from", s.reference_from},
            {"seconds", s.config.reference_ms / 1000},
            {"predictionBins", BinsToJson(s.reference_bins)}}},
          {"buckets", std::move(buckets)}};
}

namespace {

Result<AccuracySnapshot> FromJsonChecked(const json& j) {
  if (!j.is_object() || j.value("format", "") != kFormat) {
    return Error{std::string("accuracy snapshot: format must be \"") + kFormat + "\""};
  }
  if (j.value("version", 0) != AccuracySnapshot::kVersion) {
    return Error{"accuracy snapshot: version " + j.value("version", json()).dump() +
                 " is not supported (this build reads version 1)"};
  }
  if (j.value("scoreBins", 0) != ScoreHistogram::kBins) {
    return Error{"accuracy snapshot: scoreBins must be " + std::to_string(ScoreHistogram::kBins)};
  }
  AccuracySnapshot s;
  Reader r("");
  const json* task = r.Field(j, "task");
  if (task == nullptr || !task->is_string()) return Error{"accuracy snapshot: task is missing"};
  auto parsed = api::FromString<api::Task>(task->get<std::string>());
  if (!parsed) {
    return Error{"accuracy snapshot: task \"" + task->get<std::string>() + "\" is not one of " +
                 api::AllowedValues<api::Task>()};
  }
  s.config.task = *parsed;
  r.Int(j, "positiveClass", &s.config.positive_class);
  r.Real(j, "threshold", &s.config.threshold);
  int64_t bucket_seconds = 0, reference_seconds = 0;
  r.Int(j, "bucketSeconds", &bucket_seconds);
  if (bucket_seconds <= 0) r.Fail("bucketSeconds", "positive");
  s.config.bucket_ms = bucket_seconds * 1000;
  if (const json* ref = r.Field(j, "reference")) {
    r.Int(*ref, "from", &s.reference_from);
    r.Int(*ref, "seconds", &reference_seconds);
    s.config.reference_ms = reference_seconds * 1000;
    if (const json* bins = r.Field(*ref, "predictionBins")) {
      BinsFromJson(*bins, "reference.predictionBins", &r, &s.reference_bins);
    }
  }
  const json* buckets = r.Field(j, "buckets");
  if (buckets != nullptr && !buckets->is_array()) r.Fail("buckets", "an array");
  if (r.ok() && buckets != nullptr) {
    for (size_t i = 0; i < buckets->size() && r.ok(); ++i) {
      Reader br("buckets[" + std::to_string(i) + "]");
      TimeMs start = 0;
      AccuracyBucket b;
      BucketFromJson((*buckets)[i], s.config.task, &br, &start, &b);
      if (!br.ok()) return Error{br.error()};
      s.buckets[start].Merge(b);
    }
  }
  if (!r.ok()) return Error{r.error()};
  return s;
}

}  // namespace

Result<AccuracySnapshot> AccuracySnapshotFromJson(const json& j) {
  try {  // the checks above read types before values; this catches what they missed
    return FromJsonChecked(j);
  } catch (const json::exception& e) {
    return Error{std::string("accuracy snapshot: malformed: ") + e.what()};
  }
}

Status AccuracySnapshot::Merge(const AccuracySnapshot& o) {
  if (o.config.task != config.task || o.config.positive_class != config.positive_class ||
      o.config.threshold != config.threshold || o.config.bucket_ms != config.bucket_ms) {
    return Error{
        "accuracy snapshots differ in task, positiveClass, threshold or bucketSeconds; "
        "only snapshots of one monitor configuration merge"};
  }
  for (const auto& [start, b] : o.buckets) buckets[start].Merge(b);
  for (const auto& [bin, n] : o.reference_bins) reference_bins[bin] += n;
  if (o.reference_from != 0 && (reference_from == 0 || o.reference_from < reference_from)) {
    reference_from = o.reference_from;
  }
  return OkStatus();
}

AccuracyBucket AccuracySnapshot::Window(TimeMs from, TimeMs to) const {
  AccuracyBucket out;
  for (auto it = buckets.lower_bound(from); it != buckets.end() && it->first < to; ++it) {
    out.Merge(it->second);
  }
  return out;
}

AccuracyReport AccuracySnapshot::Report(TimeMs from, TimeMs to) const {
  const AccuracyBucket window = Window(from, to);
  AccuracyReport report = ComputeAccuracy(window, config);
  double psi = 0;
  if (PredictionPsi(reference_bins, window.prediction_bins, &psi)) report.prediction_psi = psi;
  return report;
}

}  // namespace mm::metrics
