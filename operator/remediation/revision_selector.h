#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm::op {

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
// The earlier revisions a ReplicaSet served under ("1,3"): the deployment
// controller renumbers a ReplicaSet a rollback returns to and notes its old numbers.
inline constexpr const char* kRevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";

// Where a rollback of a Deployment would go, decided the way `kubectl rollout
// undo` decides it: among the ReplicaSets the Deployment controls, the one with
// the highest revision below the current one (or exactly `to_revision`); its pod
// template without the `pod-template-hash` label becomes the Deployment's.
struct RollbackPlan {
  // Empty when the plan can be carried out; else a CamelCase reason
  // (NoRevisionYet, NoEarlierRevision, NoSafeRevision, RevisionNotFound,
  // RevisionIsCurrent, RevisionRolledAwayFrom, TemplateAlreadyMatches) and a
  // message with the numbers.
  std::string refusal;
  std::string message;
  int64_t from_revision = 0;  // the Deployment's current (failing) revision
  int64_t to_revision = 0;
  std::string replicaset;
  nlohmann::json pod_template;

  bool ok() const { return refusal.empty(); }
};

// `to_revision` 0 means the previous revision. Never plans a rollback to the
// current revision: that is the one failing; nor to a pod template an earlier
// rollback rolled away from (`rolled_away_from`: the fromRevision of this
// monitor's rollbacks). Revision numbers move: a rollback to revision 1 makes
// its ReplicaSet revision 3 (revision-history "1"), so a revision is found by
// its number or its history, and its template is known by its pod-template-hash.
RollbackPlan PlanRollback(const nlohmann::json& deployment,
                          const std::vector<nlohmann::json>& replicasets, int64_t to_revision,
                          const std::vector<int64_t>& rolled_away_from = {});

// The JSON patch (RFC 6902) that carries `plan` out on `deployment`: it tests the
// resourceVersion the plan was made from (a concurrent change makes it fail with
// 409/422 instead of overwriting), replaces spec.template and notes the rollback
// in the annotation modelmonitor.io/rollback.
nlohmann::json RollbackPatch(const nlohmann::json& deployment, const RollbackPlan& plan,
                             const std::string& note);

// The revision annotation of a Deployment or ReplicaSet; 0 when absent or not a number.
int64_t RevisionOf(const nlohmann::json& object);

}  // namespace mm::op
