#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/kube/kube_client.h"
#include "common/kube/resource_path.h"

namespace mm::kube {

// Given the object as the server has it now, returns the status to write, or
// nullopt when nothing needs writing.
using StatusMutation = std::function<std::optional<nlohmann::json>(const nlohmann::json& current)>;

struct StatusUpdateResult {
  ApiResponse response;  // the last PUT (or GET, when that failed)
  bool written = false;  // false: the mutation said nothing changed, or it failed
  int conflicts = 0;     // 409s that were re-read and retried
};

// Writes the status subresource with optimistic concurrency: GETs `object`
// (unless `current` is given for the first attempt), applies `mutate`, PUTs
// .../status carrying the read resourceVersion; on 409 Conflict re-reads and
// retries, up to `max_attempts` (client-go's retry.RetryOnConflict with its
// DefaultRetry: 5 steps, 10 ms apart with 10% jitter).
StatusUpdateResult UpdateStatus(KubeClient& client, const ResourcePath& object,
                                const StatusMutation& mutate,
                                const nlohmann::json* current = nullptr, int max_attempts = 5);

}  // namespace mm::kube
