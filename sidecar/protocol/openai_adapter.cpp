#include "sidecar/protocol/openai_adapter.h"

#include <map>

#include "sidecar/protocol/instance_prediction.h"
#include "sidecar/protocol/sse_parser.h"

namespace mm::sidecar {

namespace {

// The text of a choice: chat message, chat delta, or completion text.
const nlohmann::json* ChoiceText(const nlohmann::json& choice) {
  for (const char* holder : {"message", "delta"}) {
    auto m = choice.find(holder);
    if (m != choice.end() && m->is_object()) {
      auto content = m->find("content");
      if (content != m->end() && content->is_string()) return &*content;
    }
  }
  auto text = choice.find("text");
  if (text != choice.end() && text->is_string()) return &*text;
  return nullptr;
}

std::optional<uint64_t> CompletionTokens(const nlohmann::json& j) {
  auto usage = j.find("usage");
  if (usage == j.end() || !usage->is_object()) return std::nullopt;
  auto tokens = usage->find("completion_tokens");
  if (tokens == usage->end() || !tokens->is_number_unsigned()) return std::nullopt;
  return tokens->get<uint64_t>();
}

InstanceOutput TextPrediction(const std::string& text) {
  InstanceOutput p;
  p.json = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return p;
}

class OpenAiStreamObserver : public StreamObserver {
 public:
  explicit OpenAiStreamObserver(JsonSelection selection) : selection_(std::move(selection)) {}

  uint64_t OnData(std::string_view bytes) override {
    uint64_t tokens = 0;
    parser_.Feed(bytes, [&](std::string_view data) { tokens += OnEvent(data); });
    counted_tokens_ += tokens;
    return tokens;
  }

  Result<Extraction> Finish() override {
    if (events_ == 0) return Error{"openai: the stream carried no data events"};
    if (valid_events_ == 0) return Error{"openai: no stream event was a JSON chunk"};
    if (texts_.empty() && !usage_tokens_) {
      return Error{"openai: no stream chunk carried choices[].delta.content, text or usage"};
    }
    Extraction e;
    for (const auto& [index, text] : texts_) e.predictions.push_back(TextPrediction(text));
    e.output_tokens = usage_tokens_.value_or(counted_tokens_);
    return e;
  }

 private:
  uint64_t OnEvent(std::string_view data) {
    ++events_;
    if (data == "[DONE]") return 0;
    const Result<nlohmann::json> parsed = selection_.Parse(data);
    if (!parsed || !parsed->is_object()) return 0;
    const nlohmann::json& j = *parsed;
    ++valid_events_;
    if (auto tokens = CompletionTokens(j)) usage_tokens_ = tokens;
    auto choices = j.find("choices");
    if (choices == j.end() || !choices->is_array()) return 0;
    uint64_t tokens = 0;
    for (const auto& choice : *choices) {
      if (!choice.is_object()) continue;
      const nlohmann::json* text = ChoiceText(choice);
      if (text == nullptr || text->get_ref<const std::string&>().empty()) continue;
      ++tokens;
      auto idx = choice.find("index");
      const uint64_t index =
          idx != choice.end() && idx->is_number_unsigned() ? idx->get<uint64_t>() : 0;
      if (texts_.size() >= 128 && !texts_.count(index)) continue;  // bound hostile streams
      std::string& kept = texts_[index];
      const std::string& piece = text->get_ref<const std::string&>();
      if (kept.size() < OpenAiAdapter::kMaxTextBytes) {
        kept.append(piece.substr(0, OpenAiAdapter::kMaxTextBytes - kept.size()));
      }
    }
    return tokens;
  }

  JsonSelection selection_;
  SseParser parser_;
  std::map<uint64_t, std::string> texts_;
  uint64_t events_ = 0;
  uint64_t valid_events_ = 0;
  uint64_t counted_tokens_ = 0;
  std::optional<uint64_t> usage_tokens_;
};

}  // namespace

OpenAiAdapter::OpenAiAdapter(JsonSelection selection) : JsonResponseAdapter(std::move(selection)) {}

JsonSelection OpenAiAdapter::FieldsRead() {
  std::vector<JsonPath> paths;
  for (const char* path :
       {"$.choices[*].message.content", "$.choices[*].delta.content", "$.choices[*].text",
        "$.choices[*].index", "$.usage.completion_tokens"}) {
    paths.push_back(JsonPath::Parse(path).value());
  }
  return JsonSelection(paths);
}

Result<Extraction> OpenAiAdapter::ExtractFrom(const nlohmann::json& j) const {
  auto choices = j.is_object() ? j.find("choices") : j.end();
  if (!j.is_object() || choices == j.end() || !choices->is_array()) {
    return Error{"openai: the response has no \"choices\" array"};
  }
  Extraction e;
  for (const auto& choice : *choices) {
    const nlohmann::json* text = choice.is_object() ? ChoiceText(choice) : nullptr;
    if (text == nullptr) {
      return Error{"openai: a choice has neither message.content nor text"};
    }
    e.predictions.push_back(TextPrediction(text->get<std::string>()));
  }
  e.output_tokens = CompletionTokens(j).value_or(0);
  return e;
}

std::unique_ptr<StreamObserver> OpenAiAdapter::ObserveStream() const {
  return std::make_unique<OpenAiStreamObserver>(selection());
}

}  // namespace mm::sidecar
