#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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

// Where `pod`'s sidecar for `monitor` answers, or why it has none: the pod must
// carry this monitor's injection (not another monitor's), be Running with an IP,
// not be terminating, and have the sidecar's admin port. The label gateway calls
// Ready and unready endpoints alike; the alert evaluator asks only Ready ones.
Result<SidecarEndpoint> SidecarEndpointOf(const std::string& monitor, const nlohmann::json& pod);

}  // namespace mm::op
