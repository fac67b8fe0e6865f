#pragma once

#include <cpprest/http_client.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "common/kube/kube_client.h"
#include "common/kube/kubeconfig.h"

namespace mm::kube {

// KubeClient over HTTPS with cpprestsdk's http_client (the design card's choice
// for the Kubernetes API, where its speed does not matter).
class RestKubeClient final : public KubeClient {
 public:
  explicit RestKubeClient(ClusterConfig config,
                          std::chrono::seconds timeout = std::chrono::seconds(30));

  ApiResponse Get(const std::string& path) override;
  ApiResponse Create(const std::string& path, const nlohmann::json& object) override;
  ApiResponse Replace(const std::string& path, const nlohmann::json& object) override;
  ApiResponse Patch(const std::string& path, const nlohmann::json& patch, PatchType type) override;
  ApiResponse Delete(const std::string& path) override;
  ApiResponse Watch(const std::string& path,
                    const std::function<bool(const nlohmann::json& event)>& on_event,
                    WatchControl* control = nullptr) override;

  const ClusterConfig& config() const { return config_; }

 private:
  web::http::client::http_client_config ClientConfig(std::chrono::seconds timeout) const;
  web::http::http_request NewRequest(const web::http::method& method, const std::string& path);
  ApiResponse Send(web::http::http_request request);

  ClusterConfig config_;
  std::unique_ptr<web::http::client::http_client> client_;
  // Watches stay open for minutes (the server ends them after timeoutSeconds).
  std::unique_ptr<web::http::client::http_client> watch_client_;
};

}  // namespace mm::kube
