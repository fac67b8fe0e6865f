#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/http/server.h"
#include "common/result.h"
#include "operator/metrics/operator_metrics.h"

namespace mm::op {

// The operator's own port: /healthz (the process serves), /readyz (200 once
// `ready` says so — caches synced — else 503 with the reason), /metrics
// (Prometheus text format).
class HealthServer {
 public:
  HealthServer(std::string address, int port, std::function<bool()> ready,
               const OperatorMetrics* metrics);
  Status Start();
  void Stop();
  uint16_t port() const;

 private:
  std::unique_ptr<http::Server> server_;
};

}  // namespace mm::op
