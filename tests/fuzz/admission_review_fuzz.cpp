// AdmissionReview bodies come from the API server, but the webhook port is
// reachable in the cluster: decoding never crashes, and for whatever decodes,
// the webhook's answer is well formed and its patch applies to the pod it was
// built for (a patch that does not apply would make the API server reject the pod).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "operator/webhook/admission_review.h"
#include "operator/webhook/injection_decision.h"
#include "operator/webhook/sidecar_patch.h"

namespace {

const mm::api::ParsedMonitor& FuzzMonitor() {
  static const mm::api::ParsedMonitor m = mm::api::ParsedMonitor::FromJson(
      {{"metadata", {{"name", "fuzz"}, {"namespace", "ml"}}},
       {"spec",
        {{"selector", {{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}}}}}},
         {"target", {{"name", "fuzz"}}},
         {"serving", {{"port", "http"}}}}}});
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = mm::webhook::DecodeAdmissionReview(body);
  if (!request) {
    if (request.error().message.empty()) std::abort();  // every refusal says why
    return 0;
  }
  const auto& pod = request->object;
  const std::vector<mm::api::ParsedMonitor> monitors = {FuzzMonitor()};
  const auto decision = mm::webhook::DecideInjection(pod, monitors);
  mm::webhook::AdmissionResponse response;
  response.uid = request->uid;
  if (decision.outcome == mm::webhook::InjectionDecision::Outcome::kInject) {
    // Try both the monitor's named port and a port by number.
    for (const mm::api::PortRef& port : {mm::api::PortRef{"http", 0}, mm::api::PortRef{"", 8000}}) {
      mm::api::ParsedMonitor m = FuzzMonitor();
      m.monitor->spec.serving.port = port;
      auto patch = mm::webhook::BuildSidecarPatch(pod, m, {});
      if (!patch) continue;
      try {
        const auto patched = pod.patch(patch->operations);
        // Injected once, the pod is left alone.
        if (mm::webhook::DecideInjection(patched, monitors).outcome !=
            mm::webhook::InjectionDecision::Outcome::kSkip) {
          std::abort();
        }
      } catch (const nlohmann::json::exception&) {
        std::abort();  // a patch that does not apply to its own pod
      }
      response.patch = patch->operations;
    }
  }
  (void)mm::webhook::EncodeAdmissionReview(response).dump();
  return 0;
}
