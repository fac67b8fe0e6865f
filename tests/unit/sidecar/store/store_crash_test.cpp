// kill -9 in the middle of uploads: a restarted store has every prediction and
// every label whose write was acknowledged.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include "sidecar/labels/label_joiner.h"
#include "sidecar/metrics/accuracy_windows.h"
#include "sidecar/store/prediction_queue.h"
#include "sidecar/store/sqlite_prediction_store.h"

namespace mm::sidecar {
namespace {

// The child: stores predictions through the queue and uploads their labels as
// NDJSON through the joiner, forever; after each acknowledged step it writes a
// line to `fd`: "P <n>" (predictions 0..n-1 stored) or "L <n>" (labels 0..n-1 joined).
[[noreturn]] void Writer(const std::string& path, int fd) {
  auto store = SqlitePredictionStore::Open({.path = path});
  if (!store) _exit(2);
  AccuracyWindows metrics(metrics::AccuracyConfig{});
  PredictionQueue queue(
      store->get(), [] { return metrics::TimeMs{1000}; }, {}, nullptr);
  LabelJoiner joiner(
      store->get(), &metrics, [&] { queue.Flush(); }, [] { return metrics::TimeMs{2000}; },
      LabelLimits{});
  int next_prediction = 0, next_label = 0;
  while (true) {
    for (int i = 0; i < 200; ++i, ++next_prediction) {
      queue.Offer(metrics::Prediction{"p" + std::to_string(next_prediction), 1000, "r", 1, {0.7}});
    }
    queue.Flush();
    dprintf(fd, "P %d\n", next_prediction);
    std::string body;
    for (int i = 0; i < 150; ++i, ++next_label) {
      body += R"({"id":"p)" + std::to_string(next_label) + R"(","label":1})" + "\n";
    }
    bool refused = false;
    auto answer = joiner.JoinBody(body, "application/x-ndjson", &refused);
    if (!answer || answer->joined != 150) _exit(3);
    dprintf(fd, "L %d\n", next_label);
  }
}

// The parameter: after how many acknowledgements the child is killed; the child
// never pauses, so each kill lands in a different place of an upload.
class StoreCrashTest : public ::testing::TestWithParam<int> {};

TEST_P(StoreCrashTest, KillNineLosesNothingAcknowledged) {
  const std::string path = ::testing::TempDir() + "/mm_store_crash_" + std::to_string(::getpid()) +
                           "_" + std::to_string(GetParam()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Writer(path, fds[1]);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  int predictions_acked = 0, labels_acked = 0, lines = 0;
  char kind;
  int n;
  while (fscanf(in, " %c %d", &kind, &n) == 2) {
    (kind == 'P' ? predictions_acked : labels_acked) = n;
    if (++lines == GetParam()) {
      kill(child, SIGKILL);
      break;
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited " << status;
  // Acknowledgements written just before the kill are still in the pipe.
  while (fscanf(in, " %c %d", &kind, &n) == 2) (kind == 'P' ? predictions_acked : labels_acked) = n;
  fclose(in);
  ASSERT_GT(labels_acked, 0);

  auto store = SqlitePredictionStore::Open({.path = path});
  ASSERT_TRUE(store.ok()) << store.error().message;
  const StoreStats stats = (*store)->Stats();
  // Every acknowledged prediction is there (more may be: written, not yet acknowledged).
  EXPECT_GE(stats.pending + stats.resolved, predictions_acked);
  int64_t joined_rows = 0;
  std::set<std::string> joined_ids;
  ASSERT_TRUE((*store)
                  ->ForEachJoined(0,
                                  [&](const metrics::JoinedLabel& j) {
                                    ++joined_rows;
                                    joined_ids.insert(j.prediction.id);
                                  })
                  .ok());
  EXPECT_GE(joined_rows, labels_acked);
  for (int i = 0; i < labels_acked; ++i) {
    ASSERT_TRUE(joined_ids.count("p" + std::to_string(i))) << "label p" << i << " was lost";
  }
  // The metrics come back from the store: every joined label counted once.
  AccuracyWindows restored(metrics::AccuracyConfig{});
  ASSERT_TRUE(restored.RestoreJoins(**store, 3000).ok());
  EXPECT_EQ(restored.Snapshot(0).Window(0, INT64_MAX).joined, joined_rows);
  // Acknowledged predictions without an acknowledged label are still pending: they join.
  std::vector<metrics::Label> rest;
  for (int i = static_cast<int>(joined_rows); i < predictions_acked; ++i) {
    rest.push_back({"p" + std::to_string(i), 0});
  }
  auto applied = (*store)->ApplyLabels(rest, 3000);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->joined.size(), rest.size());
  std::printf(
      "kill -9 after %d acknowledged predictions and %d acknowledged labels: "
      "%lld predictions and %lld labels found\n",
      predictions_acked, labels_acked, static_cast<long long>(stats.pending + stats.resolved),
      static_cast<long long>(joined_rows));
}

INSTANTIATE_TEST_SUITE_P(KillPoints, StoreCrashTest, ::testing::Values(3, 17, 40, 81));

}  // namespace
}  // namespace mm::sidecar
