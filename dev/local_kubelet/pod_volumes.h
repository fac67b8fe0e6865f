#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::dev {

// The files of one volume: path inside the volume -> content.
using VolumePayload = std::map<std::string, std::string>;

// Writes `payload` into `folder` the way the kubelet's AtomicWriter does, so a
// program reading a mounted ConfigMap sees what it would see in a cluster: the
// files go into a new folder `..2026_11_30_08_09_37.123456789`, the symlink
// `..data` is pointed at it by renaming a fresh symlink over it (one rename: a
// reader finds the whole old set of files or the whole new one, never a mix),
// each top-level name is a symlink `name -> ..data/name`, names no longer in the
// payload lose their symlink, and the previous folder is removed. Nothing is
// written when the folder already holds exactly `payload`. True when it wrote.
Result<bool> WriteVolumeAtomically(const std::string& folder, const VolumePayload& payload);

// Fills the host folders that stand in for the pod's volumes (see VolumeFolders):
// emptyDir stays empty; secret and configMap volumes get one file per key;
// projected volumes get their secret and configMap sources, the downward API's
// metadata.name/namespace/uid, and a service account token from the TokenRequest
// API (as the kubelet's projection does). Other kinds stay empty folders. An
// error names the missing object, so the pod can wait for it and retry. An
// `optional` configMap or secret that does not exist gives an empty folder.
Status PopulateVolumes(kube::KubeClient& client, const nlohmann::json& pod,
                       const std::string& pod_dir);

// What one refresh of a running pod's volumes did.
struct VolumeRefresh {
  std::vector<std::string> changed;  // volumes whose files were swapped
  std::vector<std::string> errors;   // "volume \"x\": ...": these kept their files
};

// The kubelet's periodic sync of a running pod's configMap and secret volumes:
// each is read again and, when its content differs, swapped in atomically
// (WriteVolumeAtomically); an optional object deleted meanwhile empties its
// folder. A volume whose object cannot be read keeps its files. Projected
// volumes are written once, at start (their tokens would need the kubelet's
// rotation logic).
VolumeRefresh RefreshVolumes(kube::KubeClient& client, const nlohmann::json& pod,
                             const std::string& pod_dir);

}  // namespace mm::dev
