#include "sidecar/labels/label_joiner.h"

#include <utility>

namespace mm::sidecar {

nlohmann::json LabelAnswer::ToJson() const {
  nlohmann::json errs = nlohmann::json::array();
  for (const auto& e : errors) errs.push_back({{"index", e.index}, {"reason", e.reason}});
  return {{"received", received},     {"joined", joined},       {"unknown", unknown},
          {"expired", expired},       {"duplicate", duplicate}, {"invalid", invalid},
          {"errors", std::move(errs)}};
}

Result<LabelAnswer> LabelAnswer::FromJson(const nlohmann::json& j) {
  LabelAnswer a;
  if (!j.is_object()) return Error{"label answer: not a JSON object"};
  for (auto [name, field] :
       {std::pair{"received", &a.received}, std::pair{"joined", &a.joined},
        std::pair{"unknown", &a.unknown}, std::pair{"expired", &a.expired},
        std::pair{"duplicate", &a.duplicate}, std::pair{"invalid", &a.invalid}}) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) {
      return Error{std::string("label answer: \"") + name + "\" must be an integer"};
    }
    *field = it->get<int64_t>();
  }
  if (const auto it = j.find("errors"); it != j.end() && it->is_array()) {
    for (const auto& e : *it) {
      if (e.is_object() && e.contains("index") && e["index"].is_number_unsigned() &&
          e.contains("reason") && e["reason"].is_string()) {
        a.errors.push_back(LabelProblem{e["index"].get<size_t>(), e["reason"].get<std::string>()});
      }
    }
  }
  return a;
}

void LabelAnswer::Add(const LabelAnswer& o) {
  received += o.received;
  joined += o.joined;
  unknown += o.unknown;
  expired += o.expired;
  duplicate += o.duplicate;
  invalid += o.invalid;
  for (const auto& e : o.errors) {
    if (errors.size() < 10) errors.push_back(e);
  }
}

LabelJoiner::LabelJoiner(PredictionStore* store, AccuracyWindows* metrics,
                         std::function<void()> drain, std::function<metrics::TimeMs()> now,
                         LabelLimits limits)
    : store_(store),
      metrics_(metrics),
      drain_(std::move(drain)),
      now_(std::move(now)),
      limits_(limits),
      kind_(metrics->config().task == api::Task::kRegression ? LabelKind::kNumber
                                                             : LabelKind::kClass) {}

Result<LabelAnswer> LabelJoiner::JoinBody(std::string_view body, std::string_view content_type,
                                          bool* refused) {
  auto batch = IsNdjsonContentType(content_type) ? ParseLabelsNdjson(body, kind_, limits_)
                                                 : ParseLabelsJson(body, kind_, limits_);
  *refused = !batch.ok();
  if (!batch) return batch.error();
  return Join(batch.value());
}

Result<LabelAnswer> LabelJoiner::Join(const LabelBatch& batch) {
  if (drain_) drain_();
  const metrics::TimeMs now = now_();
  LabelAnswer answer;
  answer.received = static_cast<int64_t>(batch.received);
  answer.invalid = static_cast<int64_t>(batch.invalid);
  answer.errors = batch.problems;
  if (!batch.labels.empty()) {
    auto applied = store_->ApplyLabels(batch.labels, now);
    if (!applied) return applied.error();
    for (LabelOutcome o : applied->outcomes) {
      switch (o) {
        case LabelOutcome::kJoined:
          ++answer.joined;
          break;
        case LabelOutcome::kDuplicate:
          ++answer.duplicate;
          break;
        case LabelOutcome::kExpired:
          ++answer.expired;
          break;
        case LabelOutcome::kUnknown:
          ++answer.unknown;
          break;
      }
    }
    metrics_->RecordJoins(applied->joined);
    metrics_->RecordExpired(applied->expired_now, now);
  }
  metrics_->RecordLabelAnswer(answer.unknown, answer.duplicate, answer.invalid, now);
  return answer;
}

}  // namespace mm::sidecar
