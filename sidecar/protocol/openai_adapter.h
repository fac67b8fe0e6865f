#pragma once

#include "sidecar/protocol/json_response_adapter.h"

namespace mm::sidecar {

// OpenAI-compatible chat/completions and completions (vLLM, TGI, llama.cpp, ...).
// One prediction per choice: its text (message.content or text). Output tokens come
// from usage.completion_tokens when the model reports it; in a stream without usage
// every chunk that carries content counts as one token (what OpenAI-compatible
// servers send). Streamed responses are followed event by event (data: {...}).
class OpenAiAdapter : public JsonResponseAdapter {
 public:
  // Text kept per choice of a stream, so a long generation cannot grow memory.
  static constexpr size_t kMaxTextBytes = 64 << 10;

  // What responses and stream chunks are parsed into: the fields read, by default.
  explicit OpenAiAdapter(JsonSelection selection = FieldsRead());
  static JsonSelection FieldsRead();

  std::string_view name() const override { return "openai"; }
  Result<Extraction> ExtractFrom(const nlohmann::json& response) const override;
  std::unique_ptr<StreamObserver> ObserveStream() const override;
  bool NeedsEveryResponse() const override { return true; }
};

}  // namespace mm::sidecar
