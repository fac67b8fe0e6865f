#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::dev {

// Fills the host folders that stand in for the pod's volumes (see VolumeFolders):
// emptyDir stays empty; secret and configMap volumes get one file per key;
// projected volumes get their secret and configMap sources, the downward API's
// metadata.name/namespace/uid, and a service account token from the TokenRequest
// API (as the kubelet's projection does). Other kinds stay empty folders. An
// error names the missing object, so the pod can wait for it and retry.
Status PopulateVolumes(kube::KubeClient& client, const nlohmann::json& pod,
                       const std::string& pod_dir);

}  // namespace mm::dev
