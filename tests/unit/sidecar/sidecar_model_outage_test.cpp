// Fault: the model process is killed (kill -9) under load and started again on
// the same port. The built sidecar in front of it must stay up and healthy,
// answer 502 during the outage (never hang, never reset), count exactly what the
// clients saw, go not-ready while the model is down, and serve again once the
// model is back.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "tests/support/local_process.h"
#include "tests/support/sidecar_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Polls /healthz and /readyz of a sidecar until destroyed.
class Probes {
 public:
  explicit Probes(const SidecarProcess& sidecar)
      : thread_([this, &sidecar] {
          while (!stop_) {
            ++polls_;
            if (sidecar.Admin("GET", "/healthz").status != 200) ++unhealthy_;
            ready_ = sidecar.Admin("GET", "/readyz").status;
            std::this_thread::sleep_for(20ms);  // the probe period
          }
        }) {}
  ~Probes() {
    stop_ = true;
    thread_.join();
  }
  int polls() const { return polls_; }
  int unhealthy() const { return unhealthy_; }
  int ready() const { return ready_; }  // the last /readyz status

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> polls_{0}, unhealthy_{0}, ready_{0};
  std::thread thread_;
};

std::unique_ptr<LocalProcess> StartModel(const std::string& dir, uint16_t port, int n) {
  auto model = std::make_unique<LocalProcess>(TestModelBinary(),
                                              std::vector<std::string>{std::to_string(port)},
                                              dir + "/model-" + std::to_string(n) + ".log");
  EXPECT_TRUE(WaitFor([&] { return HttpCall("127.0.0.1", port, "POST", "/", "{}").status == 200; },
                      30s, 20ms))
      << "mm-test-model did not serve on " << port << ": " << model->Log();
  return model;
}

int64_t Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

TEST(SidecarFaultModelTest, ModelKilledAndRestartedUnderLoad) {
  ScratchDir dir("model-outage");
  const uint16_t model_port = FreeLoopbackPort();
  ASSERT_NE(model_port, 0);
  auto model = StartModel(dir.path(), model_port, 1);
  SidecarProcess sidecar({.work_dir = dir.path(),
                          .upstream = "127.0.0.1:" + std::to_string(model_port),
                          .extra_args = {"--upstream-timeout=10", "--log-level=warning"}});
  ASSERT_TRUE(sidecar.started()) << sidecar.Log();
  Probes probes(sidecar);
  PredictionTraffic traffic(sidecar.data_port(), 3, "outage-");
  ASSERT_TRUE(WaitFor([&] { return traffic.Count(200) >= 100 && probes.ready() == 200; }, 60s))
      << "no traffic through the sidecar";

  model->Signal(SIGKILL);
  ASSERT_EQ(model->Wait(10s), -1) << "killed by the signal";
  const auto killed_at = Clock::now();
  // The outage: answers are 502 and the sidecar says it is not ready.
  EXPECT_TRUE(WaitFor([&] { return traffic.Count(502) >= 50 && probes.ready() == 503; }, 60s))
      << "502s: " << traffic.Count(502) << ", /readyz " << probes.ready();
  const int not_ready_during_outage = probes.ready();
  std::this_thread::sleep_until(killed_at + 1s);  // the outage lasts a second at least

  model = StartModel(dir.path(), model_port, 2);
  const auto model_back_at = Clock::now();  // it answered a request of its own
  // Recovered: the first request sent after the model served again that was answered 200.
  std::optional<PredictionTraffic::Answer> first_ok;
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& a : traffic.Answers()) {
          if (a.sent >= model_back_at && a.status == 200) {
            first_ok = a;
            return true;
          }
        }
        return false;
      },
      30s, 10ms))
      << "no request succeeded after the model came back";
  EXPECT_TRUE(WaitFor([&] { return probes.ready() == 200; }, 30s)) << "/readyz never ready again";
  const int64_t ok_at_recovery = traffic.Count(200);
  ASSERT_TRUE(WaitFor([&] { return traffic.Count(200) >= ok_at_recovery + 100; }, 60s));
  traffic.Stop();

  // Every request got an answer, 200 or 502: none hung, none was reset.
  const auto by_status = traffic.ByStatus();
  int64_t sent = 0;
  for (const auto& [status, n] : by_status) {
    sent += n;
    EXPECT_TRUE(status == 200 || status == 502) << n << " requests answered " << status;
  }
  const int64_t ok = traffic.Count(200), bad_gateway = traffic.Count(502);
  EXPECT_GT(bad_gateway, 0);
  // Once one request sent after the restart succeeded, every later one did.
  if (first_ok) {
    for (const auto& a : traffic.Answers()) {
      if (a.sent > first_ok->sent) {
        EXPECT_EQ(a.status, 200) << a.id << " after recovery";
      }
    }
  }
  // The sidecar counted exactly what the clients saw.
  const std::string series_5xx = R"(modelmonitor_sidecar_requests_total{code="5xx"})";
  const std::string series_2xx = R"(modelmonitor_sidecar_requests_total{code="2xx"})";
  const std::string series_unavailable =
      R"(modelmonitor_sidecar_upstream_errors_total{reason="unavailable"})";
  std::string metrics;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = sidecar.Metrics();
        return MetricValue(metrics, series_5xx) == static_cast<double>(bad_gateway) &&
               MetricValue(metrics, series_2xx) == static_cast<double>(ok);
      },
      10s))
      << "clients saw " << ok << " x 200 and " << bad_gateway << " x 502\n"
      << metrics;
  EXPECT_EQ(MetricValue(metrics, series_unavailable), static_cast<double>(bad_gateway));
  // Up and healthy throughout; not ready only while the model was down.
  EXPECT_GT(probes.polls(), 10);
  EXPECT_EQ(probes.unhealthy(), 0) << "/healthz failed while the model was down";
  EXPECT_EQ(not_ready_during_outage, 503);
  EXPECT_TRUE(sidecar.process().Running());
  std::printf(
      "[figures] model kill -9 under load: %lld requests, %lld answered 200, %lld answered 502, "
      "0 unanswered; model down %lld ms; first 200 through the sidecar %lld ms after the model "
      "served again; /healthz polled %d times, all 200\n",
      static_cast<long long>(sent), static_cast<long long>(ok), static_cast<long long>(bad_gateway),
      static_cast<long long>(Ms(model_back_at - killed_at)),
      static_cast<long long>(first_ok ? Ms(first_ok->answered - model_back_at) : -1),
      probes.polls());

  sidecar.process().Signal(SIGTERM);
  EXPECT_EQ(sidecar.process().Wait(30s), 0) << sidecar.Log();
}

}  // namespace
}  // namespace mm::testing
