#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/proxy_options.h"
#include "sidecar/resources/resource_sampler.h"

namespace mm::sidecar {

// Everything the sidecar process needs, in plain fields. Filled from flags today;
// the operator's injected ModelMonitor config maps onto it (spec.serving and
// spec.sidecar: port -> proxy.upstream_port, protocol, outputPath,
// requestIdHeader, sampleRate, maxBodyBytes).
struct SidecarConfig {
  ProxyOptions proxy;
  ProtocolConfig protocol;
  std::string admin_address = "0.0.0.0";
  uint16_t admin_port = 9090;
  ResourceSamplerOptions resources;
  std::chrono::seconds bucket_width{10};  // /v1/snapshot time bucket
  size_t bucket_count = 360;              // buckets kept (1 hour at 10 s)
  size_t prediction_queue = 10000;        // records waiting for the store; more are dropped

  // Checks every field; the error names the field and what would be right.
  Status Validate() const;
};

}  // namespace mm::sidecar
