#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace mm::kube {

// The answer of one API call. `status` is the HTTP status, or 0 when the server
// could not be reached (then `error` says why). `body` is the decoded JSON (a
// metav1.Status on failures).
struct ApiResponse {
  int status = 0;
  nlohmann::json body;
  std::string error;

  bool ok() const { return status >= 200 && status < 300; }
  // The server's Status message, or the transport error, for logs and status conditions.
  std::string Message() const;
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

// Lets another thread end a running Watch (shutdown, a forced re-list). Cancel()
// is sticky: a Watch started with a cancelled control returns at once.
class WatchControl {
 public:
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // For KubeClient implementations: `on_cancel` runs now if already cancelled,
  // else on Cancel(). Pass nullptr to unregister when the watch ends.
  void SetOnCancel(std::function<void()> on_cancel);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::function<void()> on_cancel_;
};

// What the operator needs of the Kubernetes API. Paths are API paths
// ("/apis/apps/v1/namespaces/ns/deployments/name", with a query string when
// needed; see ResourcePath). Implementations are safe to call from several threads.
class KubeClient {
 public:
  virtual ~KubeClient() = default;

  virtual ApiResponse Get(const std::string& path) = 0;
  virtual ApiResponse Create(const std::string& path, const nlohmann::json& object) = 0;
  // PUT: replaces the object; carries metadata.resourceVersion for optimistic concurrency.
  virtual ApiResponse Replace(const std::string& path, const nlohmann::json& object) = 0;
  // Server-side apply (kApply) owns the applied fields as field manager "modelmonitor".
  virtual ApiResponse Patch(const std::string& path, const nlohmann::json& patch,
                            PatchType type) = 0;
  virtual ApiResponse Delete(const std::string& path) = 0;

  // Streams a watch (`path` must include watch=true). Calls on_event for each
  // event ({"type": ..., "object": ...}; decode it with DecodeWatchEvent) until it
  // returns false, the server ends the stream, the connection fails, or `control`
  // is cancelled. Returns the stream's outcome (status 200 and no error when the
  // server ended it, as it does after timeoutSeconds).
  virtual ApiResponse Watch(const std::string& path,
                            const std::function<bool(const nlohmann::json& event)>& on_event,
                            WatchControl* control = nullptr) = 0;
};

}  // namespace mm::kube
