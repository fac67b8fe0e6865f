// Two modelmonitor-operator processes against the real control plane: exactly
// one holds the Lease and reconciles; SIGKILL it and the other takes over
// within the lease duration (plus client-go's retry jitter) and reconciles;
// SIGTERM releases the Lease and exits 0. /readyz and /metrics are read from
// each process's health port.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/operator_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

TEST(LeaderElectionTest, OneLeaderReconcilesAndTheFollowerTakesOverAfterAKill) {
  ControlPlane& cp = ControlPlaneEnvironment::Get();
  InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();
  const std::string ns = CreateNamespace(*admin, "le");
  ASSERT_TRUE(
      admin->Create(ResourcePath{"v1", "pods", ns}.Url(), Pod("p", {{"app", "m"}}, "m")).ok());
  ASSERT_TRUE(
      admin->Create(ResourcePath{"apps/v1", "deployments", ns}.Url(), TargetDeployment("m")).ok());
  const ResourcePath monitor{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m"};
  ASSERT_TRUE(admin
                  ->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
                           ModelMonitor("m", {{"matchLabels", {{"app", "m"}}}}))
                  .ok());

  const auto lease_duration = 6s, retry_period = 1s;
  auto args = [&](const std::string& id) {
    return std::vector<std::string>{
        "--kubeconfig=" + cp.kubeconfig(), "--namespace=" + ns, "--identity=" + id,
        "--health-address=127.0.0.1", "--health-port=0", "--leader-elect-namespace=" + ns,
        "--leader-elect-lease-duration=6s", "--leader-elect-renew-deadline=4s",
        "--leader-elect-retry-period=1s",
        // Two local replicas: no webhook or API ports to share.
        "--no-webhook", "--no-api"};
  };
  auto a = std::make_unique<OperatorProcess>("op-a-" + ns, args("op-a-" + ns));
  auto b = std::make_unique<OperatorProcess>("op-b-" + ns, args("op-b-" + ns));
  const std::string lease =
      ResourcePath{"coordination.k8s.io/v1", "leases", ns, "modelmonitor-operator"}.Url();
  auto holder = [&]() -> std::string {
    auto r = admin->Get(lease);
    return r.ok() ? r.body["spec"].value("holderIdentity", "") : "";
  };
  ASSERT_TRUE(WaitFor([&] { return !holder().empty(); }, 60s)) << a->Log() << b->Log();
  OperatorProcess* leader = holder() == a->identity() ? a.get() : b.get();
  OperatorProcess* follower = leader == a.get() ? b.get() : a.get();

  // The leader reconciles; the follower, with synced caches, is ready but idle.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto m = admin->Get(monitor.Url()).body;
        return ConditionOf(m, "Ready")["status"] == "True";
      },
      30s))
      << leader->Log();
  ASSERT_TRUE(WaitFor([&] { return follower->HttpGet("/readyz").first == 200; }, 30s))
      << follower->Log();
  EXPECT_EQ(leader->HttpGet("/healthz").first, 200);
  const std::string leader_metrics = leader->HttpGet("/metrics").second;
  EXPECT_NE(leader_metrics.find("modelmonitor_leader 1"), std::string::npos) << leader_metrics;
  EXPECT_NE(leader_metrics.find("modelmonitor_reconcile_total{outcome=\"done\"}"),
            std::string::npos);
  const std::string follower_metrics = follower->HttpGet("/metrics").second;
  EXPECT_EQ(follower_metrics.find("modelmonitor_reconcile_total{"), std::string::npos)
      << "the follower reconciled:\n"
      << follower_metrics;
  EXPECT_TRUE(leader->Logged("starting workers"));
  EXPECT_FALSE(follower->Logged("starting workers"));
  EXPECT_FALSE(follower->Logged("status updated"));

  // Kill the leader: no release, so the follower waits out the lease.
  leader->Signal(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return holder() == follower->identity(); }, 30s)) << follower->Log();
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  std::cout << "takeover after SIGKILL: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
            << " ms (lease duration 6000 ms, retry period 1000 ms)\n";
  // client-go's bounds. Every wait is a retry period plus up to 1.2 of it
  // (wait.JitterUntil), so a wait lasts at most 2.2 retry periods. Lower: the
  // last renewal came at most one wait before the kill, and the follower may
  // not take over until a lease duration after it. Upper: the follower sees
  // that renewal up to one wait after it, the lease expires a lease duration
  // later, and the next try comes up to one wait after that; the slack covers
  // API round trips on a loaded machine.
  const auto longest_wait = std::chrono::milliseconds(retry_period) * 22 / 10;
  EXPECT_GE(takeover, lease_duration - longest_wait);
  EXPECT_LE(takeover, lease_duration + 2 * longest_wait + 2s);

  // The new leader reconciles a spec change.
  ASSERT_TRUE(admin
                  ->Patch(monitor.Url(),
                          {{"spec", {{"selector", {{"matchLabels", {{"app", "none"}}}}}}}},
                          kube::PatchType::kMerge)
                  .ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        auto m = admin->Get(monitor.Url()).body;
        return m["status"].value("observedGeneration", 0) == 2 &&
               ConditionOf(m, "Ready")["reason"] == "NoPodsMatched";
      },
      30s))
      << follower->Log();
  EXPECT_TRUE(follower->Logged("status updated"));

  // SIGTERM: graceful shutdown releases the Lease and exits 0.
  follower->Signal(SIGTERM);
  EXPECT_EQ(follower->Wait(25s), 0) << follower->Log();
  EXPECT_EQ(holder(), "") << "the lease was released";
}

}  // namespace
}  // namespace mm::testing
