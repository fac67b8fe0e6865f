// Feeds the rows sklearn_parity.py wrote through the sidecar's accuracy path —
// PredictionQueue -> SqlitePredictionStore, labels posted as NDJSON and JSON
// through LabelJoiner, AccuracyWindows, /v1/snapshot JSON, merged across two
// pods — and compares every metric with scikit-learn's value on the same rows.
// Usage: accuracy_parity DATA_DIR WORK_DIR. Exit 0 when every metric agrees.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/metrics/accuracy_snapshot.h"
#include "sidecar/labels/label_joiner.h"
#include "sidecar/store/prediction_queue.h"
#include "sidecar/store/sqlite_prediction_store.h"

namespace {

using mm::metrics::TimeMs;
using nlohmann::json;

constexpr double kExact = 1e-9;  // relative to max(1, |value|)
constexpr int kPods = 2;
constexpr size_t kBatch = 100;

std::vector<json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> rows;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(json::parse(line));
  }
  return rows;
}

// One sidecar: its store on disk, the queue in front, the joiner and the metrics.
struct Pod {
  std::unique_ptr<mm::sidecar::SqlitePredictionStore> store;
  std::unique_ptr<mm::sidecar::AccuracyWindows> metrics;
  std::unique_ptr<mm::sidecar::PredictionQueue> queue;
  std::unique_ptr<mm::sidecar::LabelJoiner> joiner;
  TimeMs now = 0;
};

int RunTask(const std::string& task_name, const std::string& data, const std::string& work) {
  auto task = mm::api::FromString<mm::api::Task>(task_name);
  if (!task) return std::fprintf(stderr, "%s is not a task\n", task_name.c_str()), 1;
  const auto predictions = ReadJsonLines(data + "/" + task_name + ".predictions.jsonl");
  const auto labels = ReadJsonLines(data + "/" + task_name + ".labels.jsonl");
  json expected;
  std::ifstream(data + "/" + task_name + ".expected.json") >> expected;

  mm::metrics::AccuracyConfig config;
  config.task = *task;
  std::vector<Pod> pods(kPods);
  for (int i = 0; i < kPods; ++i) {
    Pod& pod = pods[static_cast<size_t>(i)];
    const std::string path = work + "/" + task_name + "-pod" + std::to_string(i) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto store = mm::sidecar::SqlitePredictionStore::Open({.path = path});
    if (!store) return std::fprintf(stderr, "%s\n", store.error().message.c_str()), 1;
    pod.store = std::move(store).value();
    pod.metrics = std::make_unique<mm::sidecar::AccuracyWindows>(config);
    pod.queue = std::make_unique<mm::sidecar::PredictionQueue>(
        pod.store.get(), [&pod] { return pod.now; }, mm::sidecar::PredictionQueueOptions{},
        [&pod](std::span<const mm::metrics::Prediction> batch,
               const mm::sidecar::PutResult& result) {
          pod.metrics->RecordWritten(batch, result, pod.now);
        });
    pod.joiner = std::make_unique<mm::sidecar::LabelJoiner>(
        pod.store.get(), pod.metrics.get(), [&pod] { pod.queue->Flush(); },
        [&pod] { return pod.now; }, mm::sidecar::LabelLimits{});
  }
  // Predictions alternate between the pods, as a Service would spread them.
  for (size_t i = 0; i < predictions.size(); ++i) {
    const json& row = predictions[i];
    Pod& pod = pods[i % kPods];
    pod.now = row["time"].get<TimeMs>();
    mm::metrics::Prediction p{row["id"], pod.now, "rev-1", row["value"].get<double>(),
                              row.value("scores", std::vector<double>{})};
    if (!pod.queue->Offer(std::move(p))) return std::fprintf(stderr, "queue dropped\n"), 1;
  }
  // Labels a minute to ten minutes later, in batches sent to every pod (the
  // gateway's fan-out); odd batches as JSON, even ones as NDJSON.
  mm::sidecar::LabelAnswer total;
  const TimeMs last = predictions.back()["time"].get<TimeMs>();
  for (size_t start = 0, n = 0; start < labels.size(); start += kBatch, ++n) {
    std::string ndjson;
    json array = json::array();
    for (size_t i = start; i < std::min(labels.size(), start + kBatch); ++i) {
      ndjson += labels[i].dump() + "\n";
      array.push_back(labels[i]);
    }
    const bool as_json = n % 2 == 1;
    for (Pod& pod : pods) {
      pod.now = last + 60 * 1000 + static_cast<TimeMs>(n) * 10 * 1000;
      bool refused = false;
      auto answer = as_json ? pod.joiner->JoinBody(json{{"labels", array}}.dump(),
                                                   "application/json", &refused)
                            : pod.joiner->JoinBody(ndjson, "application/x-ndjson", &refused);
      if (!answer) return std::fprintf(stderr, "%s\n", answer.error().message.c_str()), 1;
      total.Add(answer.value());
    }
  }
  // The first batch again: idempotent, every label a duplicate on its pod.
  std::string again;
  for (size_t i = 0; i < kBatch; ++i) again += labels[i].dump() + "\n";
  int64_t duplicates = 0;
  for (Pod& pod : pods) {
    bool refused = false;
    duplicates += pod.joiner->JoinBody(again, "application/x-ndjson", &refused)->duplicate;
  }

  // The operator's view: each pod's snapshot through JSON, merged.
  auto merged = mm::metrics::AccuracySnapshotFromJson(
      json::parse(mm::metrics::ToJson(pods[0].metrics->Snapshot(0)).dump()));
  for (int i = 1; i < kPods && merged; ++i) {
    auto other = mm::metrics::AccuracySnapshotFromJson(
        json::parse(mm::metrics::ToJson(pods[static_cast<size_t>(i)].metrics->Snapshot(0)).dump()));
    if (!other || !merged->Merge(other.value())) return std::fprintf(stderr, "merge failed\n"), 1;
  }
  if (!merged) return std::fprintf(stderr, "%s\n", merged.error().message.c_str()), 1;
  const auto report = merged->Report(0, INT64_MAX);

  int failures = 0;
  const auto n = static_cast<int64_t>(predictions.size());
  auto check_count = [&](const char* what, int64_t got, int64_t want) {
    const bool ok = got == want;
    failures += ok ? 0 : 1;
    std::printf("  %-22s %12lld  want %lld  %s\n", what, static_cast<long long>(got),
                static_cast<long long>(want), ok ? "ok" : "MISMATCH");
  };
  std::printf("%s: %lld rows over %d pods\n", task_name.c_str(), static_cast<long long>(n), kPods);
  check_count("joined", total.joined, n);
  check_count("unknown (other pod)", total.unknown, n * (kPods - 1));
  check_count("duplicate (re-sent)", duplicates, static_cast<int64_t>(kBatch));
  check_count("labeled_samples", report.labeled_samples, n);
  check_count("samples", report.samples, n);
  // scikit-learn's results are named as the sidecar exports them.
  std::map<std::string, double> values;
  for (const auto& [name, value] : report.All()) {
    if (value) values[name] = *value;
  }
  for (const auto& [name, want_json] : expected["metrics"].items()) {
    const double want = want_json.get<double>();
    if (!values.count(name)) {
      std::printf("  %-22s missing\n", name.c_str());
      ++failures;
      continue;
    }
    const double got = values.at(name);
    double bound = kExact * std::max(1.0, std::fabs(want));
    std::string note = "exact";
    if (name == "auc_roc") {
      bound += report.auc_roc_error_bound.value_or(0);
      char text[64];
      std::snprintf(text, sizeof text, "binned, bound %.2e",
                    report.auc_roc_error_bound.value_or(0));
      note = text;
    }
    const bool ok = std::fabs(got - want) <= bound;
    failures += ok ? 0 : 1;
    std::printf("  %-22s %.15f  sklearn %.15f  diff %.2e  (%s) %s\n", name.c_str(), got, want,
                std::fabs(got - want), note.c_str(), ok ? "ok" : "MISMATCH");
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: accuracy_parity DATA_DIR WORK_DIR\n");
    return 2;
  }
  std::filesystem::create_directories(argv[2]);
  int failures = 0;
  for (const char* task : {"binary-classification", "multiclass-classification", "regression"}) {
    failures += RunTask(task, argv[1], argv[2]);
  }
  std::printf(failures == 0 ? "all metrics agree with scikit-learn\n" : "%d mismatches\n",
              failures);
  return failures == 0 ? 0 : 1;
}
