#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mm::webhook {

// The parts of an admission.k8s.io/v1 AdmissionReview request the webhook uses.
// The decoder is the trust boundary: everything here has been checked.
struct AdmissionRequest {
  std::string uid;       // echoed in the response, required
  std::string kind;      // request.kind.kind: "Pod"
  std::string group;     // request.kind.group: "" for core
  std::string version;   // request.kind.version: "v1"
  std::string resource;  // request.resource.resource: "pods"
  std::string subresource;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  std::string ns;         // request.namespace (the pod's metadata.namespace may be empty)
  std::string name;       // request.name (empty for generateName pods at CREATE)
  bool dry_run = false;
  nlohmann::json object;  // request.object; null for DELETE
};

struct AdmissionLimits {
  // kube-apiserver caps a request body at 3 MiB; an AdmissionReview of a pod is far smaller.
  size_t max_body_bytes = 3 << 20;
  // Pods nest about 10 levels; a deeper document is hostile (and deep recursion is a crash).
  size_t max_depth = 64;
};

// Decodes and checks an AdmissionReview body. Errors say what is wrong and what
// the webhook accepts, e.g. `apiVersion "admission.k8s.io/v1beta1" is not supported
// (send admission.k8s.io/v1; set admissionReviewVersions: ["v1"])`.
Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body,
                                               const AdmissionLimits& limits = {});

// The webhook's answer for one request.
struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  nlohmann::json patch;  // a JSON Patch array; null or empty for no change
  std::vector<std::string> warnings;
  // Why the webhook did (or did not) act, recorded in the API server's audit log.
  std::map<std::string, std::string> audit_annotations;
  // For allowed=false: the status message and HTTP-style code.
  std::string message;
  int code = 0;
};

// The admission.k8s.io/v1 AdmissionReview response object (patch base64-encoded).
nlohmann::json EncodeAdmissionReview(const AdmissionResponse& response);

}  // namespace mm::webhook
