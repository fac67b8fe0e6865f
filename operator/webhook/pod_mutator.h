#pragma once

#include "operator/webhook/admission_review.h"
#include "operator/webhook/monitor_lookup.h"
#include "operator/webhook/sidecar_patch.h"

namespace mm::webhook {

// Answers one pod admission request: a JSON Patch adding the sidecar when a
// ModelMonitor selects the pod, else `allowed: true` with no patch. Never denies
// a pod: anything that prevents injection (no port, a lookup failure) leaves the
// pod as it is, says why in a warning and the audit annotation, and the
// reconciler later reports the pod as not injected.
class PodMutator {
 public:
  PodMutator(MonitorLookup& monitors, SidecarDefaults defaults)
      : monitors_(monitors), defaults_(std::move(defaults)) {}

  AdmissionResponse Admit(const AdmissionRequest& request) const;

 private:
  MonitorLookup& monitors_;
  SidecarDefaults defaults_;
};

}  // namespace mm::webhook
