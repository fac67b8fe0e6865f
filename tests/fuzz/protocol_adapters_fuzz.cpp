// Every protocol adapter on the same untrusted model response, and the OpenAI
// stream observer fed the bytes in two pieces: errors are fine, crashes and
// exceptions are not. Each instance found also goes through the conversion to a
// store Prediction. The first byte picks the split point. And each adapter must
// find in the fields it parses (JsonSelection) what it finds in the whole
// document, its stream observer too: a difference aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sidecar/protocol/openai_adapter.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/prediction_conversion.h"
#include "tests/fuzz/extraction_equivalence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mm::sidecar;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const auto adapters = [] {
    std::vector<std::unique_ptr<ProtocolAdapter>> all;
    using mm::api::Protocol;
    for (auto [protocol, path] :
         {std::pair{Protocol::kOpenInferenceV2, "$"}, std::pair{Protocol::kKServeV1, "$"},
          std::pair{Protocol::kOpenAI, "$"}, std::pair{Protocol::kJson, "$.predictions"},
          std::pair{Protocol::kJson, "$.items[*].score"}, std::pair{Protocol::kJson, "$['a'][0]"},
          std::pair{Protocol::kJson, "$"}, std::pair{Protocol::kJson, "$[*].a[1]"}}) {
      all.push_back(std::move(MakeProtocolAdapter({protocol, path}).value()));
    }
    return all;
  }();
  static const OpenAiAdapter openai_whole(JsonSelection::Everything());
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  for (const auto& adapter : adapters) {
    if (auto extraction = adapter->Extract(body)) {
      for (const auto& output : extraction->predictions) (void)ToStorePrediction(output);
    }
    const auto& json_adapter = dynamic_cast<const JsonResponseAdapter&>(*adapter);
    if (const std::string diff = ExtractionDifference(json_adapter, body); !diff.empty()) {
      std::fprintf(stderr, "%s\n", diff.c_str());
      std::abort();
    }
    if (auto observer = adapter->ObserveStream()) {
      auto whole = openai_whole.ObserveStream();
      for (auto piece : {body.substr(0, split), body.substr(split)}) {
        if (observer->OnData(piece) != whole->OnData(piece)) std::abort();
      }
      if (Describe(observer->Finish()) != Describe(whole->Finish())) std::abort();
    }
  }
  return 0;
}
