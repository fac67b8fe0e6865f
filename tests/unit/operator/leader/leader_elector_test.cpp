#include "operator/leader/leader_elector.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"
#include "tests/support/gate.h"
#include "tests/support/wait.h"

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kLease = "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l";
const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/ns/leases";

LeaderElectionOptions Fast(const std::string& id) {
  LeaderElectionOptions o;
  o.lease_namespace = "ns";
  o.lease_name = "l";
  o.identity = id;
  o.lease_duration = 1000ms;
  o.renew_deadline = 300ms;
  o.retry_period = 50ms;
  o.release_on_cancel = false;
  return o;
}

// "me" leading: the first try creates the lease (scripted on `fake`); starts and
// stops of its work counted.
struct Leading {
  explicit Leading(testing::FakeKubeClient& fake)
      : elector(
            fake, Fast("me"), [this] { ++started; }, [this] { ++stopped; }) {
    json lease = {{"metadata", {{"name", "l"}, {"namespace", "ns"}, {"resourceVersion", "1"}}},
                  {"spec", {{"holderIdentity", "me"}, {"leaseDurationSeconds", 1}}}};
    fake.Queue("POST", kLeases, 201, lease);
    elector.Start();
    EXPECT_TRUE(testing::WaitFor([&] { return started == 1; }, 5s)) << "never leading";
  }
  std::atomic<int> started{0}, stopped{0};
  LeaderElector elector;
};

TEST(LeaderElectorTest, CreatesTheLeaseThenStopsWorkWhenRenewalsFail) {
  testing::FakeKubeClient fake;  // unscripted calls answer 404
  Leading me(fake);
  // Every renewal now fails (GET 404, create 404): after the renew deadline the
  // elector gives up and tells the controller to stop at once.
  ASSERT_TRUE(testing::WaitFor([&] { return me.stopped == 1; }, 5s));
  EXPECT_FALSE(me.elector.IsLeader());
  me.elector.Stop();
  const auto calls = fake.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[1].method, "POST");
  EXPECT_EQ(calls[1].body["spec"]["holderIdentity"], "me");
  EXPECT_EQ(calls[1].body["spec"]["leaseDurationSeconds"], 1);
}

TEST(LeaderElectorTest, WaitsOutAnotherHoldersLeaseThenTakesIt) {
  testing::FakeKubeClient fake;
  json theirs = {{"metadata", {{"name", "l"}, {"namespace", "ns"}, {"resourceVersion", "5"}}},
                 {"spec",
                  {{"holderIdentity", "other"},
                   {"leaseDurationSeconds", 1},
                   {"renewTime", "2026-01-01T00:00:00.000000Z"},
                   {"leaseTransitions", 3}}}};
  for (int i = 0; i < 200; ++i) fake.Queue("GET", kLease, 200, theirs);
  json mine = theirs;
  mine["spec"]["holderIdentity"] = "me";
  fake.Queue("PUT", kLease, 200, mine);
  std::atomic<bool> started{false};
  const auto t0 = std::chrono::steady_clock::now();
  LeaderElector elector(
      fake, Fast("me"), [&] { started = true; }, [] {});
  elector.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return started.load(); }, 5s));
  // Judged on this process's clock from when the record was first seen, not
  // from the (ancient) renewTime in the record.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1000ms);
  elector.Stop();
  for (const auto& c : fake.calls()) {
    if (c.method != "PUT") continue;
    EXPECT_EQ(c.body["metadata"]["resourceVersion"], "5") << "compare-and-swap on the read version";
    EXPECT_EQ(c.body["spec"]["holderIdentity"], "me");
    EXPECT_EQ(c.body["spec"]["leaseTransitions"], 4);
  }
}

// GETs that hang instead of failing while the gate is closed: an API server
// whose etcd is stopped.
class HangingKubeClient : public testing::FakeKubeClient {
 public:
  kube::ApiResponse Get(const std::string& path) override {
    gate.Pass();
    return FakeKubeClient::Get(path);
  }
  testing::Gate gate{true};
};

TEST(LeaderElectorTest, StopsWorkAtTheRenewDeadlineWhileARenewalHangs) {
  HangingKubeClient client;
  Leading me(client);
  client.gate.Close();
  // The renewal GET hangs; work stops at the renew deadline all the same.
  EXPECT_TRUE(testing::WaitFor([&] { return me.stopped == 1; }, 5s, 5ms));
  EXPECT_FALSE(me.elector.IsLeader());
  EXPECT_EQ(client.gate.held(), 1) << "the renewal is still on its way";
  client.gate.Open();
  me.elector.Stop();
  EXPECT_EQ(me.started, 1);
}

TEST(LeaderElectorTest, ValidatesTimingsLikeClientGo) {
  EXPECT_EQ(LeaderElector::Validate(Fast("me")), "");
  auto o = Fast("me");
  o.renew_deadline = 2000ms;
  EXPECT_NE(LeaderElector::Validate(o), "");
  o = Fast("me");
  o.retry_period = 280ms;  // 1.2 x 280 > 300
  EXPECT_NE(LeaderElector::Validate(o), "");
  EXPECT_NE(LeaderElector::Validate(Fast("")), "");
}

}  // namespace
}  // namespace mm::op
