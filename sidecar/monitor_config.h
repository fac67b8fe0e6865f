#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// Maps a ModelMonitor spec (the JSON the webhook injects as MM_MONITOR_CONFIG, or
// the file given by --config) onto `config`, the one place this happens:
//   spec.serving.port (a number)   -> proxy.upstream_port (a named port leaves it as is)
//   spec.serving.protocol, outputPath, requestIdHeader -> protocol, requests.request_id_header
//   spec.sidecar.sampleRate, maxBodyBytes               -> requests.sample_rate, max_body_bytes
//   spec.groundTruth (task, positiveClass, threshold, maxLabelDelay, maxPending)
//                                  -> ground_truth (accuracy config and store limits)
// The webhook's injected form (serving, sidecar, groundTruth and a `monitor`
// identity, without selector and target) is accepted as well.
// A spec the API refuses yields the parser's field-path error.
Status ApplyMonitorSpec(const nlohmann::json& spec, SidecarConfig* config);

}  // namespace mm::sidecar
