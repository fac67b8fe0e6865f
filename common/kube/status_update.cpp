#include "common/kube/status_update.h"

#include <chrono>
#include <random>
#include <thread>

namespace mm::kube {

StatusUpdateResult UpdateStatus(KubeClient& client, const ResourcePath& object,
                                const StatusMutation& mutate, const nlohmann::json* current,
                                int max_attempts) {
  StatusUpdateResult out;
  ResourcePath status_path = object;
  status_path.subresource = "status";
  thread_local std::mt19937 rng{std::random_device{}()};
  nlohmann::json latest;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (attempt == 0 && current != nullptr) {
      latest = *current;
    } else {
      ApiResponse got = client.Get(object.Url());
      if (!got.ok()) {
        out.response = std::move(got);
        return out;
      }
      latest = std::move(got.body);
    }
    std::optional<nlohmann::json> status = mutate(latest);
    if (!status) {
      out.response.status = 200;
      out.response.body = latest;
      return out;
    }
    latest["status"] = std::move(*status);
    out.response = client.Replace(status_path.Url(), latest);
    if (out.response.ok()) {
      out.written = true;
      return out;
    }
    if (out.response.status != 409) return out;
    ++out.conflicts;
    std::uniform_int_distribution<int> jitter(0, 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(10000 + jitter(rng)));
  }
  return out;
}

}  // namespace mm::kube
