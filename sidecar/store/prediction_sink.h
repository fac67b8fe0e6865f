#pragma once

#include "common/metrics/prediction.h"

namespace mm::sidecar {

// Where the proxy hands each prediction on the request path. Offer never blocks
// on I/O and never throws: when the sink is full it drops the prediction, counts
// the drop, and returns false. The proxy connects to this and nothing else.
class PredictionSink {
 public:
  virtual ~PredictionSink() = default;
  virtual bool Offer(metrics::Prediction prediction) noexcept = 0;
};

}  // namespace mm::sidecar
