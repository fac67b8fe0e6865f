#include "sidecar/metrics/accuracy_config.h"

namespace mm::sidecar {

Result<Task> ParseTask(std::string_view name) {
  if (name == "binary-classification") return Task::kBinary;
  if (name == "multiclass-classification") return Task::kMulticlass;
  if (name == "regression") return Task::kRegression;
  return Error{"groundTruth.task: \"" + std::string(name) +
               "\" is not a task (use binary-classification, multiclass-classification or "
               "regression)"};
}

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary-classification";
    case Task::kMulticlass:
      return "multiclass-classification";
    case Task::kRegression:
      return "regression";
  }
  return "unknown";
}

}  // namespace mm::sidecar
