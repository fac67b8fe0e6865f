#pragma once

// The ModelMonitor API (modelmonitor.io/v1alpha1) in C++: validated structs for the whole object
// and the one parser from the API's JSON, which the operator (reconciler, webhook, evaluator)
// and the sidecar's config both use.
//
// The promise: ParseModelMonitor accepts exactly what the CRD (crds/modelmonitor.io_modelmonitors
// .yaml) accepts, and fills in the same defaults, so an object parsed as the user wrote it
// equals the same object read back from the apiserver with its defaults filled in. Every error
// names the field path and what would be right:
//   spec.alerts[2].window: "5x" is not a duration (use 30s, 5m, 1h)
// Several errors are joined with "; " (at most 20). Unknown fields in spec are errors, as with
// kubectl's strict field validation; metadata keeps only what the operator uses.
//
// The spec can be written back too (ToJson), for the sidecar's config.
// Status goes both ways: the operator builds a ModelMonitorStatus and writes ToJson(status) to
// the status subresource; ParseModelMonitorStatus reads it back.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/api/duration.h"
#include "common/api/enums.h"
#include "common/api/metric_catalogue.h"
#include "common/api/quantity.h"
#include "common/kube/label_selector.h"
#include "common/result.h"

namespace mm::api {

inline constexpr char kGroup[] = "modelmonitor.io";
inline constexpr char kVersion[] = "v1alpha1";
inline constexpr char kApiVersion[] = "modelmonitor.io/v1alpha1";
inline constexpr char kKind[] = "ModelMonitor";
inline constexpr char kPlural[] = "modelmonitors";

// The defaults the CRD's schema fills in (and the parser too, for fields left out).
namespace defaults {
using namespace std::chrono_literals;
inline constexpr std::string_view kTargetKind = "Deployment";
inline constexpr std::string_view kServingPort = "http";
inline constexpr Protocol kProtocol = Protocol::kJson;
inline constexpr std::string_view kRequestIdHeader = "x-request-id";
inline constexpr double kSampleRate = 1.0;
inline constexpr int64_t kMaxBodyBytes = 1 << 20;
inline constexpr Duration kMaxLabelDelay = 24h;
inline constexpr int64_t kMaxPending = 1'000'000;
inline constexpr Duration kWindow = 5min;
inline constexpr Duration kFor = 0s;
inline constexpr int64_t kMinSamples = 20;
inline constexpr Severity kSeverity = Severity::kWarning;
inline constexpr Action kAction = Action::kNone;
inline constexpr Duration kCooldown = 30min;
inline constexpr int kMaxActionsPerDay = 3;
inline constexpr int64_t kRollbackToRevision = 0;
// Not schema defaults: the CRD leaves these unset, and they mean this when unset.
inline constexpr std::string_view kJsonOutputPath = "$.predictions";  // protocol json only
inline constexpr double kBinaryThreshold = 0.5;                       // binary-classification only
}  // namespace defaults

// Limits the CRD declares, shared by the parser.
inline constexpr size_t kMaxAlerts = 32;
inline constexpr size_t kMaxRemediationRecords = 20;
// status.remediations holds the last kMaxRemediationRecords records plus every
// real action the daily budget and cooldown still need (maxActionsPerDay is at
// most 100): at most this many.
inline constexpr size_t kMaxStoredRemediationRecords = 120;
inline constexpr size_t kMaxExternalAlerts = 32;

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string creation_timestamp;  // RFC 3339; orders monitors when several select a pod

  bool operator==(const ObjectMeta&) const = default;
};

struct LabelSelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kIn;
  std::vector<std::string> values;

  bool operator==(const LabelSelectorRequirement&) const = default;
};

// A metav1.LabelSelector as the user wrote it; never empty once parsed. Matching and
// the labelSelector query text are kube::LabelSelector's (Compile), the one matcher.
struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  Result<kube::LabelSelector> Compile() const;
  bool operator==(const LabelSelector&) const = default;
};

struct TargetRef {
  std::string kind{defaults::kTargetKind};  // only "Deployment"
  std::string name;

  bool operator==(const TargetRef&) const = default;
};

// A container port by name ("http") or number (8080): exactly one of the two is set.
struct PortRef {
  std::string name;
  int number = 0;

  bool is_named() const { return !name.empty(); }
  bool operator==(const PortRef&) const = default;
};

struct ServingSpec {
  PortRef port{std::string(defaults::kServingPort), 0};
  Protocol protocol = defaults::kProtocol;
  // Where predictions are in a json response; "$.predictions" for json when unset, empty for the
  // other protocols (they know where predictions are).
  std::string output_path{defaults::kJsonOutputPath};
  std::string request_id_header{defaults::kRequestIdHeader};

  bool operator==(const ServingSpec&) const = default;
};

struct ResourceRequirements {
  std::map<std::string, Quantity> requests;
  std::map<std::string, Quantity> limits;

  bool operator==(const ResourceRequirements&) const = default;
};

struct SidecarSpec {
  std::string image;  // empty: the operator's own default image
  ResourceRequirements resources;
  double sample_rate = defaults::kSampleRate;
  int64_t max_body_bytes = defaults::kMaxBodyBytes;

  bool operator==(const SidecarSpec&) const = default;
};

struct GroundTruthSpec {
  Task task = Task::kBinaryClassification;
  std::string positive_class;                     // set exactly for binary-classification
  double threshold = defaults::kBinaryThreshold;  // binary-classification: score >= it is positive
  Duration max_label_delay = defaults::kMaxLabelDelay;
  int64_t max_pending = defaults::kMaxPending;

  bool operator==(const GroundTruthSpec&) const = default;
};

struct Smoothing {
  double ema_alpha = 0;  // 0 <= a < 1; y[n] = a*y[n-1] + (1-a)*x[n]

  bool operator==(const Smoothing&) const = default;
};

struct AlertRule {
  std::string name;
  Metric metric = Metric::kLatencyP99Seconds;
  ComparisonOp op = ComparisonOp::kGreater;
  double threshold = 0;  // in the metric's base unit
  Duration window = defaults::kWindow;
  Duration for_duration = defaults::kFor;  // `for` in the API
  int64_t min_samples = defaults::kMinSamples;
  std::optional<Smoothing> smoothing;
  // Decide on evidence: Firing only when the one-sided bound at this level is past
  // the threshold, Inactive only when the opposite bound is clear of it,
  // Inconclusive between (docs/alerts.md, "Confidence"). 0.5 <= confidence < 1.
  std::optional<double> confidence;
  Severity severity = defaults::kSeverity;
  Action action = defaults::kAction;

  // Whether `value op threshold` holds, i.e. the alert's condition is true for this value.
  bool ConditionHolds(double value) const;
  bool operator==(const AlertRule&) const = default;
};

struct RemediationSpec {
  Duration cooldown = defaults::kCooldown;
  int max_actions_per_day = defaults::kMaxActionsPerDay;
  bool dry_run = false;
  int64_t rollback_to_revision = defaults::kRollbackToRevision;  // 0: the previous revision
  // A batch/v1 JobTemplateSpec ({metadata, spec}); set when the spec has remediation.retrain.
  std::optional<nlohmann::json> retrain_job_template;

  bool operator==(const RemediationSpec&) const = default;
};

struct ModelMonitorSpec {
  LabelSelector selector;
  TargetRef target;
  ServingSpec serving;
  SidecarSpec sidecar;
  std::optional<GroundTruthSpec> ground_truth;
  std::vector<AlertRule> alerts;
  RemediationSpec remediation;

  // The alert with this name, or nullptr.
  const AlertRule* FindAlert(std::string_view name) const;
  bool operator==(const ModelMonitorSpec&) const = default;
};

// --- status -------------------------------------------------------------------------------

// A metav1.Condition. Times are RFC 3339 strings ("2026-11-22T04:00:00Z").
struct Condition {
  std::string type;    // Ready, Injected, Alerting, Remediating, Degraded
  std::string status;  // "True", "False", "Unknown"
  int64_t observed_generation = 0;
  std::string last_transition_time;
  std::string reason;  // CamelCase
  std::string message;

  bool operator==(const Condition&) const = default;
};

struct PodCounts {
  int matched = 0;
  int injected = 0;

  bool operator==(const PodCounts&) const = default;
};

// The last evaluation: one value per metric that could be computed, in base units.
struct MetricsSnapshot {
  std::string time;
  Duration window{0};
  int64_t samples = 0;
  int64_t labeled_samples = 0;
  std::map<Metric, double> values;

  bool operator==(const MetricsSnapshot&) const = default;
};

struct AlertStatus {
  std::string name;
  AlertState state = AlertState::kInactive;
  std::optional<double> value;  // unset when nothing was measured
  std::optional<double> threshold;
  int64_t samples = 0;
  std::string since;
  std::string message;
  // With `confidence`: the one-sided bounds at that level (rounded for reading);
  // an unbounded side is absent.
  std::optional<double> lower_bound;
  std::optional<double> upper_bound;
  // With smoothing: the exact EMA state, full precision (`value` is rounded), so
  // the recurrence continues exactly across evaluations and leaders.
  std::optional<double> smoothed_value;
  // While the alert is Firing, or Inconclusive after Firing: when its episode
  // began (docs/alerts.md, "Lifecycle"); empty otherwise.
  std::string episode_since;

  bool operator==(const AlertStatus&) const = default;
};

struct RemediationRecord {
  std::string time;
  std::string alert;
  Action action = Action::kRollback;  // rollback or retrain
  RemediationResult result = RemediationResult::kStarted;
  std::optional<int64_t> from_revision;  // rollback
  std::optional<int64_t> to_revision;    // rollback
  std::string job;                       // retrain
  std::optional<double> value;
  std::string message;

  bool operator==(const RemediationRecord&) const = default;
};

// An alert as Alertmanager last reported it to the operator's receiver
// (docs/alerts.md): a Firing one acts like a Firing alert of spec.alerts with the
// same name, its episode starting at Alertmanager's startsAt.
struct ExternalAlert {
  std::string name;    // the alert's name in spec.alerts
  bool firing = true;  // false: Alertmanager said resolved
  std::string since;   // startsAt
  std::string ends;    // endsAt, when set (the alert ends then unless renewed)
  std::string fingerprint;
  std::optional<double> value;  // the `value` annotation, when a number
  std::string received;         // when the receiver last heard of it
  std::string message;          // the summary or description annotation

  bool operator==(const ExternalAlert&) const = default;
};

struct ModelMonitorStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  PodCounts pods;
  int firing_alerts = 0;
  std::string last_action;  // e.g. "rollback Succeeded"
  std::optional<MetricsSnapshot> metrics;
  std::vector<AlertStatus> alerts;
  std::vector<RemediationRecord> remediations;  // oldest first (AddRecord says which are kept)
  std::vector<ExternalAlert> external_alerts;   // written by the Alertmanager receiver

  bool operator==(const ModelMonitorStatus&) const = default;
};

struct ModelMonitor {
  ObjectMeta metadata;
  ModelMonitorSpec spec;
  ModelMonitorStatus status;

  bool operator==(const ModelMonitor&) const = default;
};

// --- parsing and writing -------------------------------------------------------------------

// A whole object as the API serves it ({apiVersion, kind, metadata, spec, status}).
// apiVersion and kind, when present, must be modelmonitor.io/v1alpha1 and ModelMonitor.
Result<ModelMonitor> ParseModelMonitor(const nlohmann::json& object);
// Only the spec; error paths start with "spec.".
Result<ModelMonitorSpec> ParseModelMonitorSpec(const nlohmann::json& spec);
// The metadata alone, read leniently (it never fails; absent fields stay empty): to
// report on an object whose spec does not parse.
ObjectMeta MetadataOf(const nlohmann::json& object);
// Only the status; error paths start with "status.".
Result<ModelMonitorStatus> ParseModelMonitorStatus(const nlohmann::json& status);

// The spec as the API writes it, every default explicit (the operator hands this to the
// sidecar as its config; the sidecar reads it with ParseModelMonitorSpec).
// ParseModelMonitorSpec(ToJson(spec)) == spec for every parsed spec.
nlohmann::json ToJson(const ModelMonitorSpec& spec);

nlohmann::json ToJson(const LabelSelector& selector);
nlohmann::json ToJson(const ResourceRequirements& resources);  // {requests, limits}

// The status as the status subresource takes it (the operator writes this). Unset optionals and
// empty strings are left out; ParseModelMonitorStatus(ToJson(s)) == s.
nlohmann::json ToJson(const ModelMonitorStatus& status);
// status.externalAlerts alone (the receiver writes only that field).
nlohmann::json ToJson(const std::vector<ExternalAlert>& alerts);

}  // namespace mm::api
