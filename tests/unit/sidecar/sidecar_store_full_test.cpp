// Fault: the volume of the sidecar's prediction store fills up. The built
// sidecar must keep proxying (no request fails for it), say so once (a warning,
// modelmonitor_store_degraded, modelmonitor_store_errors_total), stay ready
// (inference works), refuse label uploads with 507 and a message naming the full
// volume rather than acknowledge what it did not store, and recover once space
// is freed.
//
// How the volume fills: the sidecar runs in a mount namespace of its own
// (unshare; as root, or as any user where unprivileged user namespaces are
// allowed) with a small tmpfs mounted on its store folder; the test fills that
// tmpfs with a file of its own through /proc/<pid>/root and frees the space by
// deleting the file. A real ENOSPC from a real filesystem, and no mount is left
// behind if the test dies: the tmpfs lives as long as the sidecar. Where
// neither works the test skips, saying why.
//
// Not setrlimit(RLIMIT_FSIZE), which needs no privilege: it gives EFBIG, not
// ENOSPC (SQLite then reports an I/O error, not SQLITE_FULL), it limits every
// file the sidecar writes (its log too), and by offset rather than by free space
// (rewriting pages the WAL already has fails, where a full disk accepts it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "tests/support/controllable_model.h"
#include "tests/support/sidecar_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Small enough that SQLite's WAL never reaches its auto-checkpoint (1000 pages,
// 4 MiB): the WAL only grows, so once the volume is full every write fails.
constexpr const char* kVolumeSize = "3m";

// unshare ... sh -c 'mount a tmpfs on $1, then exec the rest'.
std::vector<std::string> MountingLauncher(const std::string& store_dir) {
  std::vector<std::string> l = {"/usr/bin/unshare"};
  if (geteuid() != 0) l.insert(l.end(), {"--user", "--map-root-user"});
  l.insert(l.end(), {"--mount", "--propagation", "private", "/bin/sh", "-c",
                     std::string("mount -t tmpfs -o size=") + kVolumeSize +
                         " tmpfs \"$1\" && shift && exec \"$@\"",
                     "sh", store_dir});
  return l;
}

// Why a tmpfs cannot be mounted that way here; "" when it can.
std::string CannotMount(const std::string& dir) {
  if (!std::filesystem::exists("/usr/bin/unshare")) return "no /usr/bin/unshare (util-linux)";
  auto args = MountingLauncher(dir);
  const std::string binary = args.front();
  args.erase(args.begin());
  args.push_back("/bin/true");
  LocalProcess probe(binary, args, dir + "/../mount-probe.log");
  if (probe.Wait(30s) == 0) return "";
  return "cannot mount a tmpfs in a private mount namespace (needs root, or unprivileged "
         "user namespaces): " +
         probe.Log();
}

// Writes `path` until its filesystem has no room left, down to the last byte;
// the bytes written.
int64_t FillUp(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  std::vector<char> chunk(64 << 10, 'x');
  int64_t total = 0;
  for (size_t size = chunk.size(); size > 0;) {
    const ssize_t n = write(fd, chunk.data(), size);
    if (n > 0) {
      total += n;
    } else {
      size /= 2;
    }
  }
  close(fd);
  return total;
}

// Lines of `text` holding every one of `needles`.
int CountLines(const std::string& text, const std::vector<std::string>& needles) {
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    bool all = true;
    for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
    n += all;
  }
  return n;
}

TEST(SidecarFaultStoreFullTest, KeepsProxyingRefusesLabelsAndRecovers) {
  ScratchDir dir("store-full");
  const std::string store = dir.path() + "/store";
  std::filesystem::create_directories(store);
  if (const std::string why = CannotMount(store); !why.empty()) GTEST_SKIP() << why;
  ControllableModel model(R"({"predictions":[[0.2,0.8]]})");
  SidecarProcess sidecar({.work_dir = dir.path(),
                          .upstream = model.address(),
                          .store_dir = store,
                          .monitor_spec = BinaryClassifierSpec(),
                          .launcher = MountingLauncher(store)});
  ASSERT_TRUE(sidecar.started()) << sidecar.Log();
  const std::string volume = "/proc/" + std::to_string(sidecar.process().pid()) + "/root" + store;
  ASSERT_TRUE(std::filesystem::exists(volume + "/predictions.db")) << volume;

  // Healthy: a few predictions stored; half of them labelled.
  std::vector<std::string> before;
  {
    PredictionTraffic traffic(sidecar.data_port(), 1, "before-");
    ASSERT_TRUE(WaitFor([&] { return traffic.Count(200) >= 20; }, 60s));
    traffic.Stop();
    before = traffic.TakeAnswered(20);
  }
  const std::vector<std::string> labelled(before.begin(), before.begin() + 10);
  const std::vector<std::string> unlabelled(before.begin() + 10, before.end());
  HttpAnswer answer = sidecar.PostLabels(LabelsNdjson(labelled, 1));
  ASSERT_EQ(answer.status, 200) << answer.body;

  // Full.
  const int64_t filled = FillUp(volume + "/filler");
  ASSERT_GT(filled, 0) << "nothing could be written to " << volume;
  PredictionTraffic traffic(sidecar.data_port(), 2, "full-");
  ASSERT_TRUE(WaitFor([&] { return traffic.Count(200) >= 200; }, 60s));
  constexpr int kRefusedUploads = 5;
  for (int i = 0; i < kRefusedUploads; ++i) {
    answer = sidecar.PostLabels(LabelsNdjson(unlabelled, 1));
    EXPECT_EQ(answer.status, 507) << answer.body;
    EXPECT_NE(answer.body.find("volume is full"), std::string::npos) << answer.body;
  }
  EXPECT_EQ(sidecar.Admin("GET", "/readyz").status, 200) << "inference works: still ready";
  EXPECT_EQ(sidecar.Admin("GET", "/healthz").status, 200);
  const std::string labels_full =
      R"(modelmonitor_store_errors_total{operation="labels",reason="full"})";
  const std::string predictions_full =
      R"(modelmonitor_store_errors_total{operation="predictions",reason="full"})";
  std::string metrics;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = sidecar.Metrics();
        return MetricValue(metrics, "modelmonitor_store_degraded") == 1 &&
               MetricValue(metrics, labels_full) == kRefusedUploads &&
               MetricValue(metrics, predictions_full) >= 1;
      },
      30s))
      << metrics;
  traffic.Stop();  // the sidecar's own writes would fill the freed space again
  int64_t proxied = 0;
  for (const auto& [status, n] : traffic.ByStatus()) {
    proxied += n;
    EXPECT_EQ(status, 200) << n << " requests answered " << status << " while the store was full";
  }
  // Each prediction made meanwhile is lost, and counted: none vanished silently.
  double lost = 0, dropped = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = sidecar.Metrics();
        lost = MetricValue(metrics, "modelmonitor_prediction_write_errors_total");
        dropped = MetricValue(metrics, "modelmonitor_predictions_dropped_total");
        return lost + dropped == static_cast<double>(proxied);
      },
      30s))
      << proxied << " proxied while full; " << lost << " lost, " << dropped << " dropped";

  // Space freed: predictions are stored and labels acknowledged again.
  std::filesystem::remove(volume + "/filler");
  const auto freed_at = std::chrono::steady_clock::now();
  // A prediction is handed to the store after its answer is sent: wait until these
  // five are recorded before their labels go out (else a label may come first).
  const std::string recorded = "modelmonitor_sidecar_predictions_total{result=\"recorded\"}";
  const double recorded_before = MetricValue(sidecar.Metrics(), recorded);
  std::vector<std::string> after;
  for (int i = 0; i < 5; ++i) {
    after.push_back("after-" + std::to_string(i));
    ASSERT_EQ(HttpCall("127.0.0.1", sidecar.data_port(), "POST", "/v1/models/m:predict", "{}",
                       {{"x-request-id", after.back()}})
                  .status,
              200);
  }
  ASSERT_TRUE(WaitFor(
      [&] { return MetricValue(sidecar.Metrics(), recorded) >= recorded_before + 5; }, 10s));
  after.insert(after.end(), unlabelled.begin(), unlabelled.end());
  EXPECT_TRUE(WaitFor(
      [&] {
        answer = sidecar.PostLabels(LabelsNdjson(after, 1));
        return answer.status == 200;
      },
      30s))
      << answer.body;
  const auto recovered_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - freed_at)
                                .count();
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("joined", -1),
            static_cast<int64_t>(after.size()))
      << answer.body;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = sidecar.Metrics();
        return MetricValue(metrics, "modelmonitor_store_degraded") == 0;
      },
      30s));

  // Said once, not once per failed write; and said when it ended.
  const std::string log = sidecar.Log();
  EXPECT_EQ(CountLines(log, {R"("level":"warning")", "prediction store volume is full"}), 1) << log;
  EXPECT_EQ(CountLines(log, {R"("level":"warning")", "store"}), 1) << log;
  EXPECT_EQ(CountLines(log, {R"("level":"info")", "prediction store writes again"}), 1) << log;
  std::printf(
      "[figures] store volume full (%s tmpfs, %lld bytes of filler): %lld predictions proxied, "
      "all 200, %.0f of them not stored and counted as lost (%.0f dropped); %d label uploads "
      "answered 507; labels acknowledged again %lld ms after the space was freed\n",
      kVolumeSize, static_cast<long long>(filled), static_cast<long long>(proxied), lost, dropped,
      kRefusedUploads, static_cast<long long>(recovered_ms));

  sidecar.process().Signal(SIGTERM);
  EXPECT_EQ(sidecar.process().Wait(30s), 0) << sidecar.Log();
}

}  // namespace
}  // namespace mm::testing
