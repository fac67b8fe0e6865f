#include "sidecar/store/store_health.h"

#include <string>

#include "common/log.h"
#include "common/metrics/metric_names.h"

namespace mm::sidecar {

void StoreHealth::Committed() {
  int64_t failed = 0;
  {
    std::lock_guard lock(mu_);
    if (!counts_.degraded) return;
    counts_.degraded = false;
    counts_.full = false;
    failed = episode_failures_;
    episode_failures_ = 0;
  }
  log::Info("prediction store writes again", {{"failedTransactions", failed}});
}

void StoreHealth::Failed(StoreOperation operation, StoreFailure cause, std::string_view error) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    ++counts_.failures[static_cast<int>(operation)][static_cast<int>(cause)];
    ++episode_failures_;
    first = !counts_.degraded;
    counts_.degraded = true;
    counts_.full = cause == StoreFailure::kFull;
  }
  if (!first) return;  // degraded mode: logged once, counted always
  log::Warning(cause == StoreFailure::kFull
                   ? "prediction store volume is full: predictions and labels are not stored "
                     "until space is freed; inference is unaffected"
                   : "prediction store cannot write: predictions and labels are not stored "
                     "until it can; inference is unaffected",
               {{"operation", Name(operation)},
                {"reason", Name(cause)},
                {"error", std::string(error)},
                {"counter", metrics::names::kStoreErrorsTotal}});
}

StoreHealth::Counts StoreHealth::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

const char* StoreHealth::Name(StoreOperation operation) {
  switch (operation) {
    case StoreOperation::kPredictions:
      return "predictions";
    case StoreOperation::kLabels:
      return "labels";
    case StoreOperation::kSweep:
      return "sweep";
  }
  return "unknown";
}

const char* StoreHealth::Name(StoreFailure cause) {
  return cause == StoreFailure::kFull ? "full" : "error";
}

}  // namespace mm::sidecar
