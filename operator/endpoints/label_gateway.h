#pragma once

#include <string>
#include <string_view>

#include "common/kube/kube_client.h"
#include "common/result.h"
#include "operator/endpoints/api_server.h"
#include "operator/endpoints/label_fanout.h"

namespace mm::op {

inline constexpr char kLabelsPath[] =
    "/apis/modelmonitor.io/v1alpha1/namespaces/{ns}/modelmonitors/{name}/labels";

// Limits of one upload, the sidecar's (docs/accuracy.md), checked before any fan-out.
struct LabelBatchLimits {
  size_t max_labels = 100000;
};

// The whole-batch checks a label upload must pass before it is sent anywhere:
// a known content type (application/json; application/x-ndjson, application/ndjson,
// application/jsonl), a JSON body that is an object with a `labels` array, at most
// `max_labels` labels (array entries or non-empty NDJSON lines). Returns the number
// of labels; the error names the problem: `body.labels: missing (send {"labels":
// [{"id": "...", "label": 1}]})`. Items are checked by each sidecar (invalid ones
// are counted, the rest applied).
struct CheckedBatch {
  size_t labels = 0;
  std::string content_type;  // normalised: "application/json" or "application/x-ndjson"
};
Result<CheckedBatch> CheckLabelBatch(std::string_view body, std::string_view content_type,
                                     const LabelBatchLimits& limits = {});

// POST kLabelsPath on the operator API, for callers allowed to `create`
// `modelmonitors/labels` on the monitor: checks the batch (400 naming the
// problem, 415 for another content type), finds the monitor's sidecars (404 no
// such monitor, 503 none running), fans the batch out and answers with the sums
// and one entry per pod. 200 means every sidecar acknowledged (each committed its
// joins before answering); 502 means some did not, and the batch should be posted
// again (idempotent: labels already joined come back as duplicate).
void RegisterLabelGateway(ApiServer& server, kube::KubeClient& client, FanoutOptions fanout = {});

}  // namespace mm::op
