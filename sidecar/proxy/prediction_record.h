#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mm::sidecar {

// One recorded prediction: one instance of one sampled request. The label join
// keys on (request_id, instance).
struct PredictionRecord {
  std::string request_id;                      // the prediction id returned to the client
  uint32_t instance = 0;                       // position in a batched request
  std::chrono::system_clock::time_point time;  // when the request arrived
  std::string model_revision;                  // from the sidecar config, may be empty
  std::string value;                           // the instance's output as compact JSON
  std::optional<double> score;
};

// Where the data path hands recorded predictions. Offer() must never block
// inference: an implementation that cannot take the record now drops it and
// returns false (the caller counts the drop).
class PredictionRecordSink {
 public:
  virtual ~PredictionRecordSink() = default;
  virtual bool Offer(PredictionRecord record) = 0;
};

}  // namespace mm::sidecar
