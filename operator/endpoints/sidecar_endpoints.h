#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/kube/kube_client.h"
#include "common/result.h"
#include "operator/webhook/injected_sidecar.h"

namespace mm::op {

// The monitor's sidecars right now, and the monitor's label token.
struct MonitorSidecars {
  std::vector<SidecarEndpoint> endpoints;
  std::string label_token;  // from the monitor's token Secret; never logged
};

// Reads what the label gateway needs from the Kubernetes API: the monitor
// (404 -> kNotFound), the pods its selector matches that carry its sidecar, are
// Running, have an IP and are not being deleted (Ready or not: a sidecar that is
// restarting still owns the predictions on its volume, so it is tried and
// retried rather than skipped), and the label token.
class SidecarFinder {
 public:
  explicit SidecarFinder(kube::KubeClient& client) : client_(client) {}
  enum class Problem { kNone, kNotFound, kUnavailable };
  struct Found {
    Problem problem = Problem::kNone;
    std::string message;  // when problem != kNone
    MonitorSidecars sidecars;
  };
  Found Find(const std::string& ns, const std::string& name);

 private:
  kube::KubeClient& client_;
};

}  // namespace mm::op
