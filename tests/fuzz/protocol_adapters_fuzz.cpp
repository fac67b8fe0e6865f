// Every protocol adapter on the same untrusted model response, and the OpenAI
// stream observer fed the bytes in two pieces: errors are fine, crashes and
// exceptions are not. Each instance found also goes through the conversion to a
// store Prediction. The first byte picks the split point.
#include <cstdint>
#include <string_view>

#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/prediction_conversion.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mm::sidecar;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const auto adapters = [] {
    std::vector<std::unique_ptr<ProtocolAdapter>> all;
    for (auto [protocol, path] :
         {std::pair{"open-inference-v2", "$"}, std::pair{"kserve-v1", "$"},
          std::pair{"openai", "$"}, std::pair{"json", "$.predictions"},
          std::pair{"json", "$.items[*].score"}, std::pair{"json", "$['a'][0]"}}) {
      all.push_back(std::move(MakeProtocolAdapter({protocol, path}).value()));
    }
    return all;
  }();
  for (const auto& adapter : adapters) {
    if (auto extraction = adapter->Extract(body)) {
      for (const auto& output : extraction->predictions) (void)ToStorePrediction(output);
    }
    if (auto observer = adapter->ObserveStream()) {
      const size_t split = size == 0 ? 0 : data[0] % (size + 1);
      observer->OnData(body.substr(0, split));
      observer->OnData(body.substr(split));
      (void)observer->Finish();
    }
  }
  return 0;
}
