#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::op {

// One injected sidecar the operator can call: the pod's IP and the sidecar's
// admin port (the port named "mm-admin" of the modelmonitor-sidecar container).
struct SidecarEndpoint {
  std::string pod;
  std::string ip;
  uint16_t admin_port = 0;
  bool ready = false;  // the pod's Ready condition (the sidecar answers only once started)
};

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

  // The endpoint of one pod, or why it is not one (public for tests).
  static Result<SidecarEndpoint> EndpointOf(const std::string& monitor, const nlohmann::json& pod);

 private:
  kube::KubeClient& client_;
};

}  // namespace mm::op
