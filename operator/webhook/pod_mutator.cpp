#include "operator/webhook/pod_mutator.h"

#include "common/log.h"
#include "operator/webhook/injection_decision.h"

namespace mm::webhook {
namespace {

// auditAnnotations keys are prefixed by the API server with the webhook's name.
constexpr char kAuditKey[] = "injection";

std::string PodName(const AdmissionRequest& r) {
  if (!r.name.empty()) return r.name;
  const auto& meta = r.object.contains("metadata") ? r.object["metadata"] : nlohmann::json();
  if (meta.is_object() && meta.contains("generateName") && meta["generateName"].is_string()) {
    return meta["generateName"].get<std::string>() + "*";
  }
  return "(unnamed)";
}

}  // namespace

AdmissionResponse PodMutator::Admit(const AdmissionRequest& request) const {
  AdmissionResponse response;
  response.uid = request.uid;
  if (request.kind != "Pod" || !request.group.empty() || request.operation != "CREATE" ||
      !request.subresource.empty()) {
    response.audit_annotations[kAuditKey] = "ignored: only pod CREATE is mutated";
    return response;
  }
  auto monitors = monitors_.MonitorsIn(request.ns);
  if (!monitors) {
    log::Error("pod admitted without injection: monitors unavailable",
               {{"namespace", request.ns},
                {"pod", PodName(request)},
                {"error", monitors.error().message}});
    response.warnings.push_back("modelmonitor: the pod was not checked for sidecar injection: " +
                                monitors.error().message);
    response.audit_annotations[kAuditKey] = "error: " + monitors.error().message;
    return response;
  }
  const InjectionDecision decision = DecideInjection(request.object, monitors.value());
  response.warnings = decision.warnings;
  switch (decision.outcome) {
    case InjectionDecision::Outcome::kNotSelected:
    case InjectionDecision::Outcome::kSkip:
      response.audit_annotations[kAuditKey] = "skipped: " + decision.reason;
      log::Debug(
          "pod not injected",
          {{"namespace", request.ns}, {"pod", PodName(request)}, {"reason", decision.reason}});
      return response;
    case InjectionDecision::Outcome::kInject:
      break;
  }
  auto patch = BuildSidecarPatch(request.object, *decision.monitor, defaults_);
  if (!patch) {
    const std::string why = "ModelMonitor " + decision.monitor->meta.name +
                            " selects this pod but cannot inject it: " + patch.error().message;
    log::Warning("pod not injected", {{"namespace", request.ns},
                                      {"pod", PodName(request)},
                                      {"monitor", decision.monitor->meta.name},
                                      {"reason", patch.error().message}});
    response.warnings.push_back(why);
    response.audit_annotations[kAuditKey] = "skipped: " + patch.error().message;
    return response;
  }
  for (auto& w : patch->warnings) response.warnings.push_back("modelmonitor: " + w);
  response.patch = std::move(patch->operations);
  response.audit_annotations[kAuditKey] = "injected by " + decision.monitor->meta.name;
  log::Info("sidecar injected", {{"namespace", request.ns},
                                 {"pod", PodName(request)},
                                 {"monitor", decision.monitor->meta.name},
                                 {"container", patch->model_container},
                                 {"dryRun", request.dry_run}});
  return response;
}

}  // namespace mm::webhook
