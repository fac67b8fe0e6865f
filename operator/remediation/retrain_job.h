#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace mm::op {

inline constexpr const char* kMonitorLabel = "modelmonitor.io/monitor";
inline constexpr const char* kAlertLabel = "modelmonitor.io/alert";

// What a retrain Job is told about why it runs.
struct RetrainContext {
  std::string ns;
  std::string monitor;
  std::string monitor_uid;
  std::string alert;
  std::string episode;          // the alert's Firing since time (RFC 3339): one Job per episode
  std::optional<double> value;  // unset: Alertmanager reported the alert without a value
  std::string window;           // "5m"
  std::string data_from;        // RFC 3339: the window the alert measured
  std::string data_to;
};

// "<monitor>-<alert>-<8 hex digits of a hash of namespace, monitor, alert and
// episode>", cut to 63 characters: the same episode always gives the same name,
// so a restarted operator or a second replica can only ever meet AlreadyExists.
std::string RetrainJobName(const RetrainContext& c);

// A batch/v1 Job from remediation.retrain.jobTemplate ({metadata, spec}): named
// RetrainJobName, owned by the monitor (garbage-collected with it), labelled
// modelmonitor.io/monitor and modelmonitor.io/alert, annotated with the value,
// window, episode and data window, and every container gets the same as env
// vars MM_MONITOR, MM_NAMESPACE, MM_ALERT, MM_VALUE, MM_WINDOW, MM_EPISODE,
// MM_DATA_FROM, MM_DATA_TO.
Result<nlohmann::json> BuildRetrainJob(const nlohmann::json& job_template, const RetrainContext& c);

// A Job's outcome from its conditions: "Complete", "Failed", or nullopt while it runs.
std::optional<std::string> JobOutcome(const nlohmann::json& job);

}  // namespace mm::op
