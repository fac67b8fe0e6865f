#pragma once

#include <string>
#include <vector>

#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// What a new config changes, decided field by field (the two lists are in
// docs/sidecar.md, "Reloading the configuration").
//
// Reloadable: what is read per request or per store call — the protocol adapter
// (protocol, outputPath), requestIdHeader, sampleRate, maxBodyBytes, and the
// prediction store's limits (maxLabelDelay, maxPending). Requests that start after
// the swap use the new values; requests in flight finish with the old ones.
//
// Restart only, because what they configure is built once at start:
//   spec.serving.port        the upstream is resolved once, each worker pools
//                            connections to it, the resource sampler found the model
//                            process by it;
//   spec.groundTruth (added or removed) opens or closes the prediction store and
//                            the POST /v1/labels endpoint;
//   spec.groundTruth.task, positiveClass, threshold: the accuracy buckets already
//                            hold predictions scored under the old ones, and the
//                            operator merges buckets across pods as if scored alike;
//                            a restart rebuilds them from the store under the new ones.
// These keep the value the process started with; the plan names them so the
// sidecar can say a restart is needed. Flags (ports, timeouts, threads, store
// folder, tokens) cannot change without a restart at all, so they are not compared.
struct ReloadPlan {
  SidecarConfig config;                       // `live` with `next`'s reloadable fields
  std::vector<std::string> reloaded;          // spec field paths whose new value takes effect
  std::vector<std::string> restart_required;  // spec field paths that changed but keep the old
};

ReloadPlan PlanReload(const SidecarConfig& live, const SidecarConfig& next);

}  // namespace mm::sidecar
