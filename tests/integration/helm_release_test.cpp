// A release of the Helm chart in the real control plane: helm install; the operator
// binary, run with the chart's own flags as the chart's ServiceAccount (a TokenRequest
// token, so the API server authorises every call by the chart's RBAC), reconciles
// examples/minimal.yaml; helm upgrade keeps what the operator wrote; helm uninstall
// leaves only the CRD. Also: development mode (the operator outside the cluster).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/crd_schema.h"
#include "tests/support/deployments.h"
#include "tests/support/helm.h"
#include "tests/support/local_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_F(HelmTest, DevelopmentModeCallsALocalWebhookAndRunsNoOperatorInTheCluster) {
  const std::string url = "https://127.0.0.1:9443/mutate-v1-pod";
  auto r = Helm(std::string("install modelmonitor ") + kChart +
                " -n dev-mode --create-namespace --dry-run=server --set development.enabled=true"
                " --set development.webhookUrl=" +
                url + " --set webhook.port=9443");
  ASSERT_EQ(r.exit_code, 0) << r.text;
  const auto notes = r.text.find("NOTES:");
  ASSERT_NE(notes, std::string::npos) << r.text;
  const auto docs = YamlObjects(r.text.substr(r.text.find("---"), notes - r.text.find("---")));
  EXPECT_FALSE(FindObject(docs, "Deployment").is_object());
  EXPECT_FALSE(FindObject(docs, "PodDisruptionBudget").is_object());
  const json webhook = FindObject(docs, "MutatingWebhookConfiguration");
  ASSERT_TRUE(webhook.is_object());
  EXPECT_EQ(webhook["webhooks"][0]["clientConfig"], json({{"url", url}}));
  // The notes tell how to run the operator locally, with the flags the chart would give it.
  const std::string text = r.text.substr(notes);
  for (const char* flag : {"build/operator/modelmonitor-operator", "--webhook-port=9443",
                           "--webhook-namespace=dev-mode", "--leader-elect-namespace=dev-mode",
                           "--no-webhook-manage-configuration", "--webhook-address=127.0.0.1"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag << " missing from:\n" << text;
  }
}

// MM_OPERATOR_BINARY checks the chart against another build of the operator.
std::string OperatorBinary() {
  const char* other = std::getenv("MM_OPERATOR_BINARY");
  return other ? other : std::string(MM_BINARY_DIR) + "/operator/modelmonitor-operator";
}

// The chart's operator flags with this machine's overrides, leaving out (into
// `unknown`) those the binary's --help does not list.
std::vector<std::string> OperatorArgs(const std::vector<std::string>& chart_args,
                                      const std::string& help,
                                      const std::map<std::string, std::string>& overrides,
                                      std::vector<std::string>* unknown) {
  std::vector<std::string> args;
  std::set<std::string> seen;
  for (const std::string& arg : chart_args) {
    const std::string flag = arg.substr(0, arg.find('='));
    // CLI11 lists a negated flag (--no-x) under its positive name (--x).
    const std::string listed = flag.rfind("--no-", 0) == 0 ? "--" + flag.substr(5) : flag;
    if (help.find(listed) == std::string::npos) {
      unknown->push_back(flag);
      continue;
    }
    seen.insert(flag);
    const auto o = overrides.find(flag);
    args.push_back(o == overrides.end() ? arg : flag + "=" + o->second);
  }
  for (const auto& [flag, value] : overrides) {
    if (!seen.count(flag) && help.find(flag) != std::string::npos)
      args.push_back(flag + "=" + value);
  }
  return args;
}

// A kubeconfig that authenticates as the ServiceAccount with a TokenRequest token.
std::string ServiceAccountKubeconfig(const std::string& ns, const std::string& sa) {
  auto token = Kubectl("create token " + sa + " -n " + ns + " --duration=1h");
  EXPECT_EQ(token.exit_code, 0) << token.output;
  std::string t = token.output;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  const std::string path = ControlPlaneEnvironment::Get().dir() + "/sa-" + ns + ".kubeconfig";
  auto server = Kubectl("config view --raw -o jsonpath={.clusters[0].cluster.server}");
  auto ca =
      Kubectl("config view --raw -o jsonpath={.clusters[0].cluster.certificate-authority-data}");
  std::ofstream out(path);
  out << "apiVersion: v1\nkind: Config\n"
      << "clusters:\n- name: cp\n  cluster:\n    server: " << server.output
      << "\n    certificate-authority-data: " << ca.output << "\n"
      << "users:\n- name: sa\n  user:\n    token: " << t << "\n"
      << "contexts:\n- name: sa\n  context: {cluster: cp, user: sa}\ncurrent-context: sa\n";
  return path;
}

TEST_F(HelmTest, InstallRunsTheOperatorWithTheChartsRbacUpgradesAndUninstallsCleanly) {
  auto admin = ControlPlaneEnvironment::Get().AdminClient();
  const std::string ns = UniqueNamespace("mm-helm");
  const std::string release = "modelmonitor";  // names as in the docs: modelmonitor-*
  const std::string sa = "modelmonitor-operator";
  // The namespace enforces the "restricted" Pod Security Standard, and warns for
  // workloads whose pod template would violate it.
  ASSERT_EQ(Kubectl("create namespace " + ns).exit_code, 0);
  ASSERT_EQ(Kubectl("label namespace " + ns + " pod-security.kubernetes.io/enforce=restricted" +
                    " pod-security.kubernetes.io/warn=restricted")
                .exit_code,
            0);
  auto installed =
      Helm("install " + release + " " + kChart + " --namespace " + ns + " --wait=false");
  ASSERT_EQ(installed.exit_code, 0) << installed.text;
  EXPECT_NE(installed.text.find("STATUS: deployed"), std::string::npos) << installed.text;
  EXPECT_EQ(installed.text.find("PodSecurity"), std::string::npos) << installed.text;

  // What the release holds, as Helm recorded it.
  auto manifest = Helm("get manifest " + release + " -n " + ns);
  ASSERT_EQ(manifest.exit_code, 0) << manifest.text;
  const auto docs = YamlObjects(manifest.text);
  const json deployment = FindObject(docs, "Deployment");
  ASSERT_TRUE(deployment.is_object()) << manifest.text;
  EXPECT_EQ(deployment["spec"]["replicas"], 2);
  const json pod_spec = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(pod_spec["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod_spec["containers"][0]["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(pod_spec["containers"][0]["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_TRUE(FindObject(docs, "PodDisruptionBudget").is_object());
  EXPECT_TRUE(FindObject(docs, "MutatingWebhookConfiguration").is_object());

  // Least privilege, asked of the API server's authorizer for the ServiceAccount.
  const std::string as = " --as=system:serviceaccount:" + ns + ":" + sa;
  for (const std::string& allowed : std::vector<std::string>{
           "watch modelmonitors.modelmonitor.io -A",
           "update modelmonitors.modelmonitor.io --subresource=status -A",
           "update modelmonitors.modelmonitor.io --subresource=finalizers -A", "list pods -A",
           "patch deployments.apps -A", "list replicasets.apps -A", "create jobs.batch -A",
           "create events.events.k8s.io -A", "create secrets -n default",
           "patch configmaps -n default", "create tokenreviews.authentication.k8s.io",
           "create subjectaccessreviews.authorization.k8s.io",
           "update mutatingwebhookconfigurations/modelmonitor-sidecar-injector",
           "update leases.coordination.k8s.io/modelmonitor-operator -n " + ns,
           "update secrets/modelmonitor-webhook-tls -n " + ns}) {
    auto r = Kubectl("auth can-i " + allowed + as);
    EXPECT_EQ(r.exit_code, 0) << "can-i " << allowed << ": " << r.output;
  }
  for (const std::string& denied : std::vector<std::string>{
           "list secrets -A", "watch secrets -A", "delete deployments.apps -A", "create pods -A",
           "list configmaps -A", "delete configmaps -A", "update deployments.apps -A",
           "delete modelmonitors.modelmonitor.io -A", "update mutatingwebhookconfigurations/other",
           "update secrets/other -n " + ns, "create clusterrolebindings",
           "update leases.coordination.k8s.io/other -n " + ns, "'*' '*'"}) {
    auto r = Kubectl("auth can-i " + denied + as);
    EXPECT_NE(r.exit_code, 0) << "the operator may " << denied;
  }

  // A monitor to reconcile, in a namespace of its own.
  const std::string models = UniqueNamespace("mm-helm-models");
  ASSERT_EQ(Kubectl("create namespace " + models).exit_code, 0);
  auto example = Kubectl("apply -n " + models + " -f " +
                         ShellQuote(SourcePath("examples/minimal.yaml").string()));
  ASSERT_EQ(example.exit_code, 0) << example.output;

  // The operator binary with the chart's own flags, as the chart's ServiceAccount.
  const std::string binary = OperatorBinary();
  const std::string help = Shell(ShellQuote(binary) + " --help").text;
  std::vector<std::string> unknown;
  const std::string identity = "helm-test-" + ns;
  const auto args = OperatorArgs(deployment["spec"]["template"]["spec"]["containers"][0]["args"]
                                     .get<std::vector<std::string>>(),
                                 help,
                                 {{"--kubeconfig", ServiceAccountKubeconfig(ns, sa)},
                                  {"--identity", identity},
                                  {"--health-address", "127.0.0.1"},
                                  {"--health-port", "0"},
                                  {"--webhook-address", "127.0.0.1"},
                                  {"--webhook-port", "0"},
                                  {"--api-address", "127.0.0.1"},
                                  {"--api-port", "0"}},
                                 &unknown);
  // Until the webhook and the API are wired into the operator's main, their flags are the only ones
  // the binary may lack; any other unknown flag is a mistake in the chart.
  for (const auto& flag : unknown) {
    EXPECT_TRUE(flag.rfind("--webhook-", 0) == 0 || flag.rfind("--no-webhook-", 0) == 0 ||
                flag.rfind("--sidecar-", 0) == 0 || flag.rfind("--api-", 0) == 0)
        << "the chart passes " << flag << ", which modelmonitor-operator does not know";
  }
  const bool webhook_wired = unknown.empty();
  if (!webhook_wired) {
    std::cout << "note: this operator binary has no webhook flags yet; ran without "
              << unknown.size() << " of the chart's flags\n";
  }
  {
    LocalProcess op(binary, args,
                    ControlPlaneEnvironment::Get().dir() + "/operator-" + ns + ".log");
    const auto monitor =
        ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", models, "minimal"}.Url();
    const bool reconciled = WaitFor(
        [&] {
          auto m = admin->Get(monitor);
          return m.ok() && m.body.contains("status") &&
                 m.body["status"].value("observedGeneration", int64_t{0}) ==
                     m.body["metadata"].value("generation", int64_t{-1});
        },
        60s);
    EXPECT_TRUE(reconciled) << op.Log();
    auto lease = admin->Get(
        ResourcePath{"coordination.k8s.io/v1", "leases", ns, "modelmonitor-operator"}.Url());
    EXPECT_EQ(lease.body["spec"].value("holderIdentity", ""), identity) << lease.body.dump();
    if (webhook_wired) {
      // The operator made its CA, stored it in the chart's Secret and set the caBundle.
      EXPECT_TRUE(WaitFor(
          [&] {
            auto mwc = admin->Get(
                "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
                "modelmonitor-sidecar-injector");
            return mwc.ok() &&
                   !mwc.body["webhooks"][0]["clientConfig"].value("caBundle", "").empty();
          },
          30s))
          << op.Log();
    }
    if (webhook_wired) {
      // The monitor's token Secret, created in the monitor's namespace
      // (common/api/monitor_tokens.h).
      EXPECT_TRUE(WaitFor(
          [&] {
            return admin
                ->Get(ResourcePath{"v1", "secrets", models, "minimal-modelmonitor-tokens"}.Url())
                .ok();
          },
          30s))
          << op.Log();
      // ... and its sidecar ConfigMap (common/api/monitor_config_map.h), with the
      // ServiceAccount's rights only.
      EXPECT_TRUE(WaitFor(
          [&] {
            return admin
                ->Get(ResourcePath{"v1", "configmaps", models, "minimal-modelmonitor-config"}.Url())
                .ok();
          },
          30s))
          << op.Log();
    }
    EXPECT_EQ(op.Log().find("forbidden"), std::string::npos) << op.Log();
    op.Signal(SIGTERM);
    EXPECT_EQ(op.Wait(30s), 0) << op.Log();
  }

  // What the operator wrote must survive an upgrade: its certificates in the Secret,
  // the caBundle, the Lease. (Written here when this binary has no webhook yet.)
  const std::string secret = ResourcePath{"v1", "secrets", ns, "modelmonitor-webhook-tls"}.Url();
  const std::string mwc =
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
      "modelmonitor-sidecar-injector";
  if (!webhook_wired) {
    ASSERT_TRUE(
        admin->Patch(secret, {{"data", {{"tls.crt", "Y2VydA=="}}}}, kube::PatchType::kMerge).ok());
    ASSERT_TRUE(admin
                    ->Patch(mwc,
                            json::array({{{"op", "add"},
                                          {"path", "/webhooks/0/clientConfig/caBundle"},
                                          {"value", "Y2E="}}}),
                            kube::PatchType::kJson)
                    .ok());
  }
  const json secret_data = admin->Get(secret).body["data"];
  const std::string ca_bundle =
      admin->Get(mwc).body["webhooks"][0]["clientConfig"].value("caBundle", "");
  auto upgraded = Helm("upgrade " + release + " " + kChart + " -n " + ns +
                       " --set operator.logLevel=debug --wait=false");
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.text;
  EXPECT_EQ(admin->Get(secret).body["data"], secret_data);
  EXPECT_EQ(admin->Get(mwc).body["webhooks"][0]["clientConfig"].value("caBundle", ""), ca_bundle);
  auto dep = admin->Get(ResourcePath{"apps/v1", "deployments", ns, "modelmonitor-operator"}.Url());
  EXPECT_NE(dep.body["spec"]["template"]["spec"]["containers"][0]["args"].dump().find(
                "--log-level=debug"),
            std::string::npos);
  auto history = Helm("history " + release + " -n " + ns);
  EXPECT_NE(history.text.find("Upgrade complete"), std::string::npos) << history.text;

  // Uninstall: nothing of the release is left in its namespace or the cluster; the
  // CRD (Helm never deletes crds/) and the user's ModelMonitors stay.
  auto uninstalled = Helm("uninstall " + release + " -n " + ns + " --wait");
  ASSERT_EQ(uninstalled.exit_code, 0) << uninstalled.text;
  auto left = Kubectl(
      "get all,secrets,configmaps,serviceaccounts,roles,rolebindings,leases,"
      "poddisruptionbudgets -n " +
      ns + " -o name");
  ASSERT_EQ(left.exit_code, 0) << left.output;
  std::istringstream lines(left.output);
  for (std::string name; std::getline(lines, name);) {
    // What Kubernetes itself puts in every namespace.
    if (name == "configmap/kube-root-ca.crt" || name == "serviceaccount/default") continue;
    ADD_FAILURE() << "left behind in " << ns << ": " << name;
  }
  for (const std::string& kind : std::vector<std::string>{"clusterroles", "clusterrolebindings",
                                                          "mutatingwebhookconfigurations"}) {
    auto cluster = Kubectl("get " + kind + " -o name");
    EXPECT_EQ(cluster.output.find("modelmonitor"), std::string::npos) << kind << " left behind:\n"
                                                                      << cluster.output;
  }
  EXPECT_EQ(Kubectl("get crd modelmonitors.modelmonitor.io").exit_code, 0);
  EXPECT_EQ(Kubectl("get modelmonitor minimal -n " + models).exit_code, 0);
}

// A port nothing listens on now (the kernel's pick for port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The operator command line NOTES.txt prints in development mode, one flag a line
// after the binary's path, each but the last ending in " \\".
std::vector<std::string> NotesCommandLine(const std::string& notes) {
  std::vector<std::string> args;
  const auto start = notes.find("build/operator/modelmonitor-operator");
  if (start == std::string::npos) return args;
  std::istringstream lines(notes.substr(start));
  std::string line;
  std::getline(lines, line);  // the binary and --kubeconfig
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    bool continued = false;
    for (std::string w; words >> w;) {
      if (w == "\\") {
        continued = true;
      } else {
        args.push_back(w);
      }
    }
    if (!continued) break;
  }
  return args;
}

// The local demo's set-up: the chart in development mode, the operator binary as a
// local process started with the flags the notes print; a Deployment's new pod is
// injected through the webhook URL with the caBundle the local operator set.
TEST_F(HelmTest, DevelopmentModeInjectsThroughTheLocalOperatorTheNotesDescribe) {
  const std::string binary = OperatorBinary();
  const std::string help = Shell(ShellQuote(binary) + " --help").text;
  if (help.find("--webhook-port") == std::string::npos) {
    GTEST_SKIP() << binary << " has no webhook (not wired into operator/main.cpp in this build)";
  }
  auto admin = ControlPlaneEnvironment::Get().AdminClient();
  const std::string ns = UniqueNamespace("mm-dev");
  const int port = FreePort();
  ASSERT_GT(port, 0);
  auto installed =
      Helm("install dev " + std::string(kChart) + " -n " + ns +
           " --create-namespace --set development.enabled=true"
           " --set development.webhookUrl=https://127.0.0.1:" +
           std::to_string(port) + "/mutate-v1-pod --set webhook.port=" + std::to_string(port));
  ASSERT_EQ(installed.exit_code, 0) << installed.text;
  const auto chart_args = NotesCommandLine(installed.text);
  ASSERT_GT(chart_args.size(), 10u) << installed.text;
  std::vector<std::string> unknown;
  const auto args = OperatorArgs(chart_args, help,
                                 {{"--kubeconfig", ControlPlaneEnvironment::Get().kubeconfig()},
                                  {"--health-port", "0"},
                                  {"--api-port", "0"}},
                                 &unknown);
  EXPECT_TRUE(unknown.empty()) << "the notes pass " << unknown.front()
                               << ", which modelmonitor-operator does not know";

  const std::string models = UniqueNamespace("mm-dev-models");
  ASSERT_EQ(Kubectl("create namespace " + models).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -n " + models + " -f " +
                    ShellQuote(SourcePath("examples/minimal.yaml").string()))
                .exit_code,
            0);
  {
    LocalProcess op(binary, args, ControlPlaneEnvironment::Get().dir() + "/dev-" + ns + ".log");
    const std::string mwc =
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
        "dev-modelmonitor-sidecar-injector";
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = admin->Get(mwc);
          return r.ok() && !r.body["webhooks"][0]["clientConfig"].value("caBundle", "").empty();
        },
        30s))
        << op.Log();
    const json deployment =
        Deployment("my-model", 1, ModelContainer("example/model:1", 8000, "http"));
    ASSERT_TRUE(
        admin->Create(ResourcePath{"apps/v1", "deployments", models}.Url(), deployment).ok());
    EXPECT_TRUE(WaitFor(
        [&] {
          auto pods = admin->Get(ResourcePath{"v1", "pods", models}.Url());
          for (const auto& pod : pods.body.value("items", json::array())) {
            const auto& init = pod["spec"].value("initContainers", json::array());
            if (!init.empty() && init[0].value("name", "") == "modelmonitor-sidecar" &&
                pod["metadata"]["annotations"].value("modelmonitor.io/injected", "") ==
                    "minimal@0.1.0") {
              return true;
            }
          }
          return false;
        },
        60s))
        << op.Log();
    op.Signal(SIGTERM);
    EXPECT_EQ(op.Wait(30s), 0) << op.Log();
  }
  auto uninstalled = Helm("uninstall dev -n " + ns + " --wait");
  EXPECT_EQ(uninstalled.exit_code, 0) << uninstalled.text;
}

// prometheus.perMonitor: the chart passes --prometheus-objects and grants exactly what
// that code calls on the Prometheus Operator's objects (get, create, update; no list,
// watch or delete), and the operator binary, as the chart's ServiceAccount, keeps a
// monitor's PodMonitor and PrometheusRule without a 403.
TEST_F(HelmTest, PerMonitorPrometheusObjectsWorkWithTheChartsRbac) {
  const auto crds = std::filesystem::path(HelmPath()).parent_path().parent_path() / "crds";
  if (!std::filesystem::exists(crds / ".stamp")) {
    GTEST_SKIP() << crds << " is missing: run scripts/fetch-test-crds (`make test` runs it)";
  }
  for (const char* crd : {"podmonitors", "prometheusrules"}) {
    const std::string file = crds / ("monitoring.coreos.com_" + std::string(crd) + ".yaml");
    auto applied = Kubectl("apply --server-side -f " + ShellQuote(file));
    ASSERT_EQ(applied.exit_code, 0) << applied.output;
    auto established = Kubectl(std::string("wait --for condition=Established crd/") + crd +
                               ".monitoring.coreos.com --timeout=60s");
    ASSERT_EQ(established.exit_code, 0) << established.output;
  }
  auto admin = ControlPlaneEnvironment::Get().AdminClient();
  const std::string ns = UniqueNamespace("mm-helm-prom");
  const std::string release = "modelmonitor";
  const std::string sa = "modelmonitor-operator";
  ASSERT_EQ(Kubectl("create namespace " + ns).exit_code, 0);
  auto installed = Helm("install " + release + " " + kChart + " --namespace " + ns +
                        " --wait=false --set prometheus.perMonitor.enabled=true"
                        " --set prometheus.perMonitor.labels.release=kube-prometheus-stack");
  ASSERT_EQ(installed.exit_code, 0) << installed.text;

  const std::string as = " --as=system:serviceaccount:" + ns + ":" + sa;
  for (const char* resource : {"podmonitors", "prometheusrules"}) {
    const std::string r = std::string(resource) + ".monitoring.coreos.com -A";
    for (const char* verb : {"get", "create", "update"}) {
      auto can = Kubectl(std::string("auth can-i ") + verb + " " + r + as);
      EXPECT_EQ(can.exit_code, 0) << verb << " " << r << ": " << can.output;
    }
    for (const char* verb : {"list", "watch", "delete", "patch"}) {
      auto can = Kubectl(std::string("auth can-i ") + verb + " " + r + as);
      EXPECT_NE(can.exit_code, 0) << "the operator may " << verb << " " << r;
    }
  }

  auto manifest = Helm("get manifest " + release + " -n " + ns);
  ASSERT_EQ(manifest.exit_code, 0) << manifest.text;
  const json deployment = FindObject(YamlObjects(manifest.text), "Deployment");
  ASSERT_TRUE(deployment.is_object()) << manifest.text;
  const auto chart_args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
                              .get<std::vector<std::string>>();
  EXPECT_NE(std::find(chart_args.begin(), chart_args.end(), "--prometheus-objects"),
            chart_args.end());
  EXPECT_NE(std::find(chart_args.begin(), chart_args.end(),
                      "--prometheus-objects-label=release=kube-prometheus-stack"),
            chart_args.end());

  const std::string models = UniqueNamespace("mm-helm-prom-models");
  ASSERT_EQ(Kubectl("create namespace " + models).exit_code, 0);
  json monitor = {
      {"apiVersion", "modelmonitor.io/v1alpha1"},
      {"kind", "ModelMonitor"},
      {"metadata", {{"name", "fraud"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
        {"target", {{"name", "fraud"}}},
        {"alerts",
         {{{"name", "slow"}, {"metric", "latency_p99_seconds"}, {"op", ">"}, {"threshold", 1}}}}}}};
  auto created = admin->Create(
      ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", models}.Url(), monitor);
  ASSERT_TRUE(created.ok()) << created.Message();

  const std::string binary = OperatorBinary();
  const std::string help = Shell(ShellQuote(binary) + " --help").text;
  std::vector<std::string> unknown;
  const auto args = OperatorArgs(chart_args, help,
                                 {{"--kubeconfig", ServiceAccountKubeconfig(ns, sa)},
                                  {"--identity", "helm-prom-" + ns},
                                  {"--health-address", "127.0.0.1"},
                                  {"--health-port", "0"},
                                  {"--webhook-address", "127.0.0.1"},
                                  {"--webhook-port", "0"},
                                  {"--api-address", "127.0.0.1"},
                                  {"--api-port", "0"}},
                                 &unknown);
  EXPECT_TRUE(unknown.empty()) << "the chart passes " << unknown[0] << ", unknown to the binary";
  {
    LocalProcess op(binary, args,
                    ControlPlaneEnvironment::Get().dir() + "/operator-prom-" + ns + ".log");
    const std::string pm =
        ResourcePath{"monitoring.coreos.com/v1", "podmonitors", models, "fraud-modelmonitor"}.Url();
    const std::string pr =
        ResourcePath{"monitoring.coreos.com/v1", "prometheusrules", models, "fraud-modelmonitor"}
            .Url();
    EXPECT_TRUE(WaitFor([&] { return admin->Get(pm).ok() && admin->Get(pr).ok(); }, 60s))
        << op.Log();
    EXPECT_EQ(admin->Get(pr).body["metadata"]["labels"].value("release", ""),
              "kube-prometheus-stack");
    // A change of spec.alerts reaches the rule through an update (PUT).
    auto patched = admin->Patch(
        ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", models, "fraud"}.Url(),
        {{"spec",
          {{"alerts",
            {{{"name", "slow"},
              {"metric", "latency_p99_seconds"},
              {"op", ">"},
              {"threshold", 2}}}}}}},
        kube::PatchType::kMerge);
    ASSERT_TRUE(patched.ok()) << patched.Message();
    EXPECT_TRUE(WaitFor(
        [&] {
          return admin->Get(pr)
                     .body["spec"]["groups"][0]["rules"][0]
                     .value("expr", "")
                     .find("> 2\n") != std::string::npos;
        },
        30s))
        << op.Log();
    EXPECT_EQ(op.Log().find("forbidden"), std::string::npos) << op.Log();
    EXPECT_EQ(op.Log().find("PrometheusObjectsFailed"), std::string::npos) << op.Log();
    op.Signal(SIGTERM);
    EXPECT_EQ(op.Wait(30s), 0) << op.Log();
  }
  auto uninstalled = Helm("uninstall " + release + " -n " + ns + " --wait");
  ASSERT_EQ(uninstalled.exit_code, 0) << uninstalled.text;
}

}  // namespace
}  // namespace mm::testing
