#include "sidecar/labels/accuracy_timer.h"

namespace mm::sidecar {

AccuracyTimer::AccuracyTimer(GroundTruth& ground_truth, AccuracyGauges& gauges,
                             std::chrono::milliseconds every, metrics::TimeMs window)
    : ground_truth_(ground_truth), gauges_(gauges), every_(every), window_(window) {}

void AccuracyTimer::Start() {
  Tick();  // the gauges read the restored state from the start, not zeros
  thread_.Start(every_, [this] { Tick(); });
}

void AccuracyTimer::Stop() { thread_.Stop(); }

void AccuracyTimer::Tick() {
  // A failed sweep is the store's health to report (once, and counted), not a
  // warning every period.
  (void)ground_truth_.Sweep();
  const auto c = ground_truth_.counters();
  gauges_.Update(ground_truth_.Report(window_), c.predictions, c.store.pending, c.store_health);
}

}  // namespace mm::sidecar
