#pragma once

#include <chrono>

#include "common/periodic_thread.h"
#include "sidecar/labels/ground_truth.h"
#include "sidecar/metrics/accuracy_gauges.h"

namespace mm::sidecar {

// Every `every`, sweeps the GroundTruth (expiring old predictions) and sets the
// accuracy gauges from its report over the last `window`.
class AccuracyTimer {
 public:
  AccuracyTimer(GroundTruth& ground_truth, AccuracyGauges& gauges, std::chrono::milliseconds every,
                metrics::TimeMs window);
  ~AccuracyTimer() { Stop(); }
  void Start();
  void Stop();
  // One sweep and gauge update now (the timer does this every period).
  void Tick();

 private:
  GroundTruth& ground_truth_;
  AccuracyGauges& gauges_;
  const std::chrono::milliseconds every_;
  const metrics::TimeMs window_;
  PeriodicThread thread_;
};

}  // namespace mm::sidecar
