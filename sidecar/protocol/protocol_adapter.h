#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/enums.h"
#include "common/result.h"

namespace mm::sidecar {

// One instance's prediction as found in a model response. Numbers stay numbers
// from the response to the store: nothing is printed as text and read back.
struct InstanceOutput {
  // A number (true and false are 1 and 0) or a non-empty row of numbers, such as
  // predict_proba's [0.2, 0.8]; empty for any other output.
  boost::container::small_vector<double, 4> numbers;
  bool row = false;  // `numbers` is a row, not one number
  // Any other output as compact JSON: "\"cat\"", {"label":"cat"}, [], [0.1,"x"].
  std::string json;
};

struct Extraction {
  std::vector<InstanceOutput> predictions;  // one per instance of a batched request
  uint64_t output_tokens = 0;               // OpenAI: usage.completion_tokens or counted chunks
};

// Follows one streamed (Server-Sent Events) response as its bytes pass through;
// it never holds more than one incomplete event.
class StreamObserver {
 public:
  virtual ~StreamObserver() = default;
  // Feeds the next bytes; returns how many output tokens they completed.
  virtual uint64_t OnData(std::string_view bytes) = 0;
  // The predictions and token count of the whole stream.
  virtual Result<Extraction> Finish() = 0;
};

// Finds predictions in a model's responses for one serving protocol. Implementations
// are immutable and shared by all requests; malformed input yields an Error, never a
// crash or an exception.
class ProtocolAdapter {
 public:
  virtual ~ProtocolAdapter() = default;
  virtual std::string_view name() const = 0;
  virtual Result<Extraction> Extract(std::string_view body) const = 0;
  // A fresh observer for a streamed response, or nullptr if the protocol has no streams.
  virtual std::unique_ptr<StreamObserver> ObserveStream() const { return nullptr; }
  // Whether every response must be parsed (for token counts), not only sampled ones.
  virtual bool NeedsEveryResponse() const { return false; }
};

struct ProtocolConfig {
  api::Protocol protocol = api::Protocol::kJson;
  std::string output_path = "$";  // json: where the predictions are, e.g. $.predictions
};

Result<std::unique_ptr<ProtocolAdapter>> MakeProtocolAdapter(const ProtocolConfig& config);

}  // namespace mm::sidecar
