#pragma once

#include "common/http/server.h"
#include "operator/webhook/admission_review.h"
#include "operator/webhook/pod_mutator.h"

namespace mm::webhook {

inline constexpr char kMutatePodPath[] = "/mutate-v1-pod";

// The HTTP face of the PodMutator: a body that is not an admission.k8s.io/v1
// AdmissionReview gets 400 {"error": "..."} saying what was wrong (the API server
// then applies failurePolicy: Ignore); a good one gets 200 and the AdmissionReview
// response. `mutator` must outlive the handler; it is called from server threads.
http::Handler MakeAdmissionHandler(const PodMutator& mutator, AdmissionLimits limits = {});

}  // namespace mm::webhook
