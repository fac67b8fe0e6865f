// Fault: the built sidecar is killed (kill -9) while it proxies predictions and
// takes label uploads, then started again on the same store. Every label it
// acknowledged (200, counted joined) must still be counted after the restart,
// and none twice. The store-level version of this is store/store_crash_test.cpp;
// this one goes through the binary's HTTP ports, as the label gateway does.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>
#include <utility>

#include "tests/support/controllable_model.h"
#include "tests/support/sidecar_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr size_t kBatch = 100;  // labels per upload

struct Upload {
  std::vector<std::string> ids;
  json answer;  // the sidecar's answer when it acknowledged the upload
};

// Joined labels the accuracy part of /v1/snapshot counts, over all its buckets.
int64_t JoinedIn(const json& accuracy) {
  int64_t joined = 0;
  for (const auto& b : accuracy.value("buckets", json::array())) joined += b.value("joined", 0);
  return joined;
}

json PostAgain(const SidecarProcess& sidecar, const std::vector<std::string>& ids) {
  const HttpAnswer a = sidecar.PostLabels(LabelsNdjson(ids, 1));
  EXPECT_EQ(a.status, 200) << a.body;
  auto j = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

// Where the kill lands: after how many acknowledged uploads, and how long after
// the next one was sent (its parsing, its commit or its answer; or the one after).
struct KillPoint {
  int acknowledged;
  std::chrono::microseconds into_upload;
};

void PrintTo(const KillPoint& k, std::ostream* os) {
  *os << "after_" << k.acknowledged << "_acknowledged_" << k.into_upload.count()
      << "us_into_the_next";
}

class SidecarFaultKillTest : public ::testing::TestWithParam<KillPoint> {};

TEST_P(SidecarFaultKillTest, NoAcknowledgedLabelIsLost) {
  const int kill_after = GetParam().acknowledged;
  ScratchDir dir("sidecar-kill-" + std::to_string(kill_after));
  ControllableModel model(R"({"predictions":[[0.2,0.8]]})");
  const SidecarProcess::Options options{.work_dir = dir.path(),
                                        .upstream = model.address(),
                                        .store_dir = dir.path() + "/store",
                                        .monitor_spec = BinaryClassifierSpec(),
                                        .extra_args = {"--log-level=warning"}};
  auto sidecar = std::make_unique<SidecarProcess>(options);
  ASSERT_TRUE(sidecar->started()) << sidecar->Log();

  // Predictions flow the whole time; labels are uploaded for answered ones, so
  // enough must be answered before the uploads start that they never wait.
  PredictionTraffic traffic(sidecar->data_port(), 2, "kill-");
  const size_t needed = (kill_after + 2) * kBatch;
  ASSERT_TRUE(WaitFor([&] { return traffic.Count(200) >= static_cast<int64_t>(needed); }, 120s))
      << "predictions answered: " << traffic.Count(200);
  std::mutex mu;
  std::vector<Upload> acknowledged;
  std::optional<Upload> unacknowledged;  // the upload the kill interrupted
  std::atomic<int> acked{0};
  std::atomic<bool> posting{false}, stop{false};
  std::thread uploader([&] {
    std::vector<std::string> ids;
    while (!stop) {
      const auto more = traffic.TakeAnswered(kBatch - ids.size());
      ids.insert(ids.end(), more.begin(), more.end());
      if (ids.size() < kBatch) {  // wait for more answers; the kill may come meanwhile
        std::this_thread::sleep_for(5ms);
        continue;
      }
      Upload u{std::exchange(ids, {}), nullptr};
      posting = true;
      const HttpAnswer a = sidecar->PostLabels(LabelsNdjson(u.ids, 1));
      posting = false;
      std::lock_guard lock(mu);
      if (a.status != 200) {
        unacknowledged = std::move(u);
        return;
      }
      u.answer = json::parse(a.body, nullptr, false);
      acknowledged.push_back(std::move(u));
      ++acked;
    }
  });
  // Killed while an upload is on its way: before, during or after its commit.
  EXPECT_TRUE(WaitFor([&] { return acked >= kill_after && posting; }, 120s, 1ms)) << acked;
  std::this_thread::sleep_for(GetParam().into_upload);  // places the fault; not a wait
  sidecar->process().Signal(SIGKILL);
  EXPECT_EQ(sidecar->process().Wait(10s), -1) << "killed by the signal";
  stop = true;
  uploader.join();
  traffic.Stop();
  ASSERT_GE(static_cast<int>(acknowledged.size()), kill_after);

  int64_t acked_labels = 0;
  std::vector<std::string> acked_ids;
  for (const auto& u : acknowledged) {
    EXPECT_EQ(u.answer.value("joined", -1), static_cast<int64_t>(u.ids.size())) << u.answer;
    acked_labels += u.answer.value("joined", 0);
    acked_ids.insert(acked_ids.end(), u.ids.begin(), u.ids.end());
  }

  sidecar = std::make_unique<SidecarProcess>(options);  // the same store, new ports
  ASSERT_TRUE(sidecar->started()) << sidecar->Log();
  const json accuracy = sidecar->AccuracySnapshot();
  ASSERT_TRUE(accuracy.is_object()) << "no accuracy in /v1/snapshot";
  const int64_t counted = JoinedIn(accuracy);
  // The interrupted upload: what of it committed before the kill is a duplicate
  // now; the rest joins now, or is unknown when its prediction was still queued.
  int64_t interrupted_committed = 0;
  if (unacknowledged) {
    const json again = PostAgain(*sidecar, unacknowledged->ids);
    interrupted_committed = again.value("duplicate", 0);
    EXPECT_EQ(again.value("joined", 0) + interrupted_committed + again.value("unknown", 0),
              static_cast<int64_t>(unacknowledged->ids.size()))
        << again;
  }
  // Every acknowledged label counted after the restart, and nothing counted twice.
  EXPECT_EQ(counted, acked_labels + interrupted_committed)
      << acked_labels << " acknowledged, " << interrupted_committed
      << " of the interrupted upload committed";
  // Each acknowledged label is still in the store: posted again, it is a duplicate.
  const json again = PostAgain(*sidecar, acked_ids);
  EXPECT_EQ(again.value("duplicate", -1), acked_labels) << again;
  EXPECT_EQ(again.value("joined", -1), 0) << again;
  std::printf(
      "[figures] sidecar kill -9 %lld us into the upload after %zu acknowledged ones (%lld "
      "predictions answered): "
      "%lld labels acknowledged, %lld counted after restart (%lld of the interrupted upload "
      "of %zu had committed)\n",
      static_cast<long long>(GetParam().into_upload.count()), acknowledged.size(),
      static_cast<long long>(traffic.Count(200)), static_cast<long long>(acked_labels),
      static_cast<long long>(counted), static_cast<long long>(interrupted_committed),
      unacknowledged ? unacknowledged->ids.size() : size_t{0});
}

INSTANTIATE_TEST_SUITE_P(KillPoints, SidecarFaultKillTest,
                         ::testing::Values(KillPoint{1, 0us}, KillPoint{4, 1500us},
                                           KillPoint{9, 4000us}));

}  // namespace
}  // namespace mm::testing
