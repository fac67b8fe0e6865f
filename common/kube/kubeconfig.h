#pragma once

#include <string>

#include "common/result.h"

namespace mm::kube {

// How to reach and authenticate to a kube-apiserver. Built from a kubeconfig file
// or from the in-cluster service account; PEM material is held in memory.
struct ClusterConfig {
  std::string server;           // https://host:port
  std::string ca_pem;           // trusted CA; empty means the system's trust store
  std::string client_cert_pem;  // client certificate authentication
  std::string client_key_pem;
  std::string token;           // bearer token authentication
  std::string token_file;      // re-read on use (projected service-account tokens rotate)
  std::string ns = "default";  // the context's namespace
  bool insecure_skip_tls_verify = false;
  // Sent with every request (audit logs and API server metrics show it);
  // empty means "modelmonitor/<version>".
  std::string user_agent;
};

// Reads a kubeconfig (current context, or `context` when not empty): client
// certificates and keys as data or files, bearer tokens, CA data or file.
Result<ClusterConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");

// The in-cluster config: KUBERNETES_SERVICE_HOST/PORT and the mounted service account.
Result<ClusterConfig> InClusterConfig(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// `path` if given, else $KUBECONFIG, else in-cluster, else ~/.kube/config.
Result<ClusterConfig> ResolveClusterConfig(const std::string& path);

}  // namespace mm::kube
