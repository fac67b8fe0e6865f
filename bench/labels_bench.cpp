// Labels joined per second on one core with the durable store, memory per
// pending prediction, and the cost of a metrics snapshot with 1M pending
// predictions. Baseline in the same run: the same parse + join + metrics with
// an in-memory hash map instead of the store (what a non-durable sidecar would do).
//   labels_bench [--pending 1000000] [--labels 200000] [--batch 1000] [--dir /tmp]
#include <malloc.h>
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/figures.h"
#include "common/metrics/accuracy_snapshot.h"
#include "sidecar/labels/label_joiner.h"
#include "sidecar/store/sqlite_prediction_store.h"

namespace {

using mm::bench::Format;
using mm::bench::Grouped;
using mm::bench::Require;
using mm::metrics::Prediction;
using mm::metrics::TimeMs;
using Clock = std::chrono::steady_clock;

constexpr TimeMs kT0 = 1'800'000'000'000;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}
size_t HeapBytes() { return mallinfo2().uordblks; }

Prediction MakePrediction(int64_t i) {
  const double score = static_cast<double>((i * 7919) % 1000) / 1000.0;
  return Prediction{
      "req-" + std::to_string(i), kT0 + i, "fraud-model-7d9f8c", score >= 0.5 ? 1.0 : 0.0, {score}};
}

// NDJSON label batches for predictions [0, n): what a user uploads.
std::vector<std::string> LabelBodies(int64_t n, int64_t batch) {
  std::vector<std::string> bodies;
  for (int64_t start = 0; start < n; start += batch) {
    std::string body;
    for (int64_t i = start; i < std::min(n, start + batch); ++i) {
      body += "{\"id\":\"req-" + std::to_string(i) + "\",\"label\":" + std::to_string(i % 3 == 0) +
              "}\n";
    }
    bodies.push_back(std::move(body));
  }
  return bodies;
}

std::unique_ptr<mm::sidecar::SqlitePredictionStore> OpenStore(const std::string& path,
                                                              const std::string& sync,
                                                              int64_t max_pending) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  mm::sidecar::SqliteStoreOptions options{.path = path, .synchronous = sync};
  options.limits.max_pending = max_pending;
  auto store = mm::sidecar::SqlitePredictionStore::Open(options);
  Require(static_cast<bool>(store),
          "opening the store " + path + ": " + (store ? std::string() : store.error().message));
  return std::move(store).value();
}

// Stores predictions [0, n) in batches of 1024; returns predictions per second.
double Load(mm::sidecar::PredictionStore& store, int64_t n) {
  const auto start = Clock::now();
  std::vector<Prediction> batch;
  for (int64_t i = 0; i < n; ++i) {
    batch.push_back(MakePrediction(i));
    if (batch.size() == 1024 || i == n - 1) {
      auto put = store.Put(batch, kT0 + i);
      Require(static_cast<bool>(put),
              Format("storing predictions up to %lld: %s", static_cast<long long>(i),
                     put ? "" : put.error().message.c_str()));
      batch.clear();
    }
  }
  return static_cast<double>(n) / Seconds(start);
}

// Posts every body to the joiner; returns the labels joined. A refused body ends the run.
int64_t JoinAll(mm::sidecar::LabelJoiner& joiner, const std::vector<std::string>& bodies) {
  int64_t joined = 0;
  for (const auto& body : bodies) {
    bool refused = false;
    auto r = joiner.JoinBody(body, "application/x-ndjson", &refused);
    Require(static_cast<bool>(r),
            "a label upload was refused: " + (r ? std::string() : r.error().message));
    joined += r->joined;
  }
  return joined;
}

double JoinDurable(const std::string& dir, const std::string& sync, int64_t labels,
                   const std::vector<std::string>& bodies) {
  auto store = OpenStore(dir + "/labels_bench_" + sync + ".db", sync, 10'000'000);
  const double put_rate = Load(*store, labels);
  mm::sidecar::AccuracyWindows metrics(mm::metrics::AccuracyConfig{});
  mm::sidecar::LabelJoiner joiner(
      store.get(), &metrics, nullptr, [] { return kT0 + 60'000; }, mm::sidecar::LabelLimits{});
  const auto start = Clock::now();
  const int64_t joined = JoinAll(joiner, bodies);
  Require(joined == labels, Format("synchronous=%s: %lld of %lld labels joined", sync.c_str(),
                                   static_cast<long long>(joined), static_cast<long long>(labels)));
  const double rate = static_cast<double>(joined) / Seconds(start);
  std::printf(
      "  durable store, synchronous=%-6s  %10.0f labels/s joined   (%10.0f predictions/s stored)\n",
      sync.c_str(), rate, put_rate);
  return rate;
}

// The baseline: parse the same bodies, join against an in-memory map, same metrics.
double JoinInMemory(int64_t labels, const std::vector<std::string>& bodies) {
  std::unordered_map<std::string, Prediction> pending;
  for (int64_t i = 0; i < labels; ++i) {
    Prediction p = MakePrediction(i);
    std::string id = p.id;
    pending.emplace(std::move(id), std::move(p));
  }
  mm::sidecar::AccuracyWindows metrics(mm::metrics::AccuracyConfig{});
  const auto start = Clock::now();
  int64_t joined = 0;
  for (const auto& body : bodies) {
    auto batch = mm::sidecar::ParseLabelsNdjson(body, mm::sidecar::LabelKind::kClass, {});
    std::vector<mm::metrics::JoinedLabel> joins;
    for (const auto& l : batch->labels) {
      auto it = pending.find(l.id);
      if (it == pending.end()) continue;
      joins.push_back({std::move(it->second), l.value, kT0 + 60'000});
      pending.erase(it);
    }
    metrics.RecordJoins(joins);
    joined += static_cast<int64_t>(joins.size());
  }
  const double rate = static_cast<double>(joined) / Seconds(start);
  std::printf("  in-memory map (baseline)         %10.0f labels/s joined\n", rate);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  mm::bench::StartBenchmark("labels_bench");
  CLI::App app{
      "labels_bench: label joins per second, memory per pending prediction, snapshot cost"};
  int64_t pending = 1'000'000, labels = 200'000, batch = 1000;
  std::string dir = std::filesystem::temp_directory_path();
  app.add_option("--pending", pending, "pending predictions for the memory and snapshot parts");
  app.add_option("--labels", labels, "labels joined in the throughput part");
  app.add_option("--batch", batch, "labels per upload");
  app.add_option("--dir", dir, "where the database files go");
  CLI11_PARSE(app, argc, argv);

  std::printf("labels joined per second, one core, %lld labels in NDJSON uploads of %lld\n",
              static_cast<long long>(labels), static_cast<long long>(batch));
  const auto bodies = LabelBodies(labels, batch);
  const double normal = JoinDurable(dir, "NORMAL", labels, bodies);
  const double full = JoinDurable(dir, "FULL", labels, bodies);
  const double memory = JoinInMemory(labels, bodies);
  std::printf("  ratio durable(NORMAL)/in-memory: %.2f   durable(FULL)/in-memory: %.2f\n",
              normal / memory, full / memory);

  std::printf("\nmemory per pending prediction, %lld pending\n", static_cast<long long>(pending));
  {
    const size_t before = HeapBytes();
    std::unordered_map<std::string, Prediction> map;
    for (int64_t i = 0; i < pending; ++i) {
      Prediction p = MakePrediction(i);
      std::string id = p.id;
      map.emplace(std::move(id), std::move(p));
    }
    std::printf("  in-memory map (baseline)   %8.1f bytes of heap each\n",
                static_cast<double>(HeapBytes() - before) / static_cast<double>(pending));
  }
  const std::string path = dir + "/labels_bench_pending.db";
  const size_t heap_before = HeapBytes();
  auto store = OpenStore(path, "NORMAL", pending);
  const double put_rate = Load(*store, pending);
  const double heap_each =
      static_cast<double>(HeapBytes() - heap_before) / static_cast<double>(pending);
  const auto disk = std::filesystem::file_size(path) + std::filesystem::file_size(path + "-wal");
  std::printf(
      "  durable store              %8.1f bytes of heap each (SQLite's page cache: %.1f MiB in "
      "all),"
      " %.1f bytes on disk each; stored at %.0f predictions/s\n",
      heap_each, static_cast<double>(sqlite3_memory_used()) / (1 << 20),
      static_cast<double>(disk) / static_cast<double>(pending), put_rate);

  std::printf("\nsnapshot cost with %lld pending predictions\n", static_cast<long long>(pending));
  mm::metrics::AccuracyConfig config;
  mm::sidecar::AccuracyWindows metrics(config);
  // Two hours of one-minute buckets with joins in each: a full retention window.
  const int64_t joins_per_bucket = 500;
  for (int64_t b = 0; b < 120; ++b) {
    std::vector<mm::metrics::JoinedLabel> joins;
    for (int64_t i = 0; i < joins_per_bucket; ++i) {
      joins.push_back(
          {MakePrediction(b * joins_per_bucket + i), static_cast<double>(i % 2), kT0 + b * 60'000});
    }
    metrics.RecordJoins(joins);
  }
  constexpr int kRounds = 20;
  auto start = Clock::now();
  size_t bytes = 0;
  for (int r = 0; r < kRounds; ++r) bytes = mm::metrics::ToJson(metrics.Snapshot(0)).dump().size();
  const double snapshot_ms = Seconds(start) * 1000 / kRounds;
  start = Clock::now();
  for (int r = 0; r < kRounds; ++r) (void)store->Stats();
  const double stats_us = Seconds(start) * 1e6 / kRounds;
  start = Clock::now();
  auto swept = store->Sweep(kT0 + pending);  // nothing is due: the cost of looking
  const double sweep_ms = Seconds(start) * 1000;
  std::printf("  /v1/snapshot accuracy JSON (120 buckets, %lld joins): %.2f ms, %zu bytes\n",
              static_cast<long long>(120 * joins_per_bucket), snapshot_ms, bytes);
  std::printf(
      "  store stats (pending count): %.2f us; sweep with nothing due: %.2f ms (expired %lld)\n",
      stats_us, sweep_ms, static_cast<long long>(swept ? swept->expired : -1));
  std::printf(
      "  snapshot cost does not grow with pending predictions: they stay in SQLite, not in the "
      "metrics\n");
  std::printf("\nlabels joined per second with a full store\n");
  double full_store = 0;
  {
    // Joining against the full store: its B-tree no longer fits SQLite's cache.
    mm::sidecar::AccuracyWindows join_metrics(mm::metrics::AccuracyConfig{});
    mm::sidecar::LabelJoiner joiner(
        store.get(), &metrics, nullptr, [] { return kT0 + 60'000; }, mm::sidecar::LabelLimits{});
    const int64_t n = std::min<int64_t>(labels, pending);
    const auto join_bodies = LabelBodies(n, batch);
    const auto join_start = Clock::now();
    const int64_t joined = JoinAll(joiner, join_bodies);
    Require(joined == n, Format("with a full store %lld of %lld labels joined",
                                static_cast<long long>(joined), static_cast<long long>(n)));
    full_store = static_cast<double>(joined) / Seconds(join_start);
    std::printf("  joining %lld labels with %lld pending: %.0f labels/s (NORMAL)\n",
                static_cast<long long>(joined), static_cast<long long>(pending), full_store);
  }

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  using mm::bench::Checked;
  Checked("labels/s, NORMAL", normal, 1);
  Checked("labels/s, FULL", full, 1);
  Checked("labels/s, in memory", memory, 1);
  Checked("labels/s with a full store", full_store, 1);
  mm::bench::Row("labels joined per second (durable SQLite store)",
                 Format("%s (synchronous=FULL: %s; with %s pending: %s)", Grouped(normal).c_str(),
                        Grouped(full).c_str(), Grouped(static_cast<double>(pending)).c_str(),
                        Grouped(full_store).c_str()),
                 Format("in-memory map, not durable: %s", Grouped(memory).c_str()));
  return 0;
}
