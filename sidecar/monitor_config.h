#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// Maps the sidecar's part of a ModelMonitor (common/api/sidecar_monitor_config.h:
// what the webhook injects as MM_MONITOR_CONFIG and mounts as the --config file, or
// a whole ModelMonitor or spec) onto `config`, the one place this happens:
//   spec.serving.port (a number)   -> proxy.upstream_port (a named port leaves it as is)
//   spec.serving.protocol, outputPath, requestIdHeader -> protocol, requests.request_id_header
//   spec.sidecar.sampleRate, maxBodyBytes               -> requests.sample_rate, max_body_bytes
//   spec.groundTruth (task, positiveClass, threshold, maxLabelDelay, maxPending)
//                                  -> ground_truth (accuracy config and store limits)
// A spec the API refuses yields the parser's field-path error.
Status ApplyMonitorSpec(const nlohmann::json& spec, SidecarConfig* config);

}  // namespace mm::sidecar
