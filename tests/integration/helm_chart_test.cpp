// The Helm chart (charts/modelmonitor) without installing it: helm lint is clean, the
// values schema refuses wrong values, every value is documented, the rendered chart
// passes server-side dry-run against the real control plane, manifests/ is in sync
// with the chart, the CRD comes from crds/ (also in a packaged chart), and the
// dashboard and alert rules use metric names the binaries really expose.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "common/metrics/metric_names.h"
#include "tests/support/control_plane.h"
#include "tests/support/crd_schema.h"
#include "tests/support/helm.h"

namespace mm::testing {
namespace {

using nlohmann::json;

// Every optional part on, in each certificate mode and in development mode.
const std::vector<std::string> kValueSets = {
    "",
    "--set prometheus.podMonitor.enabled=true --set prometheus.serviceMonitor.enabled=true "
    "--set prometheus.prometheusRule.enabled=true --set grafana.dashboard.enabled=true "
    "--set prometheus.perMonitor.enabled=true "
    "--set prometheus.perMonitor.labels.release=kube-prometheus-stack",
    "--set webhook.certificates.mode=certManager",
    "--set webhook.certificates.mode=certManager "
    "--set webhook.certificates.certManager.issuerRef.name=corp-ca "
    "--set webhook.certificates.certManager.issuerRef.kind=ClusterIssuer",
    "--set development.enabled=true --set operator.replicas=0",
};

TEST_F(HelmTest, LintIsCleanWithEveryValueSet) {
  for (const auto& values : kValueSets) {
    auto lint = Helm(std::string("lint --strict ") + kChart + " " + values);
    EXPECT_EQ(lint.exit_code, 0) << values << "\n" << lint.text;
    EXPECT_EQ(lint.text.find("[WARNING]"), std::string::npos) << values << "\n" << lint.text;
    EXPECT_EQ(lint.text.find("[ERROR]"), std::string::npos) << values << "\n" << lint.text;
  }
}

TEST_F(HelmTest, SchemaRefusesWrongValuesNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--set webhook.failurePolicy=Never", "/webhook/failurePolicy"},
      {"--set webhook.certificates.mode=vault", "/webhook/certificates/mode"},
      {"--set operator.replicas=-1", "/operator/replicas"},
      {"--set operator.workers=65", "/operator/workers"},
      {"--set operator.leaderElection.leaseDuration=15", "/operator/leaderElection/leaseDuration"},
      {"--set operator.replica=2", "replica"},  // a typo is an unknown key, not ignored
      {"--set development.webhookUrl=http://127.0.0.1:8443/x", "/development/webhookUrl"},
      {"--set operator.logLevel=verbose", "/operator/logLevel"},
  };
  for (const auto& [values, key] : cases) {
    auto r = Helm(std::string("template x ") + kChart + " " + values);
    EXPECT_NE(r.exit_code, 0) << values << " was accepted";
    EXPECT_NE(r.text.find(key), std::string::npos) << values << ":\n" << r.text;
  }
}

TEST_F(HelmTest, EveryValueDocumentedInValuesYaml) {
  // Each key line in values.yaml has a comment line right above it (or is a section
  // whose first child is documented), so `helm show values` teaches every setting.
  std::ifstream in(SourcePath(std::string(kChart) + "/values.yaml"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const auto first = l.find_first_not_of(' ');
    if (first == std::string::npos || l[first] == '#' || l[first] == '-') continue;
    const auto colon = l.find(':');
    if (colon == std::string::npos) continue;
    const bool is_section = l.find_first_not_of(' ', colon + 1) == std::string::npos;
    const size_t indent = first;
    // Leaf keys inside resources/securityContext blocks are Kubernetes' own fields.
    bool inside_kubernetes_object = false;
    size_t level = indent;
    for (size_t j = i; j-- > 0 && level > 0;) {
      const auto f = lines[j].find_first_not_of(' ');
      if (f == std::string::npos || lines[j][f] == '#' || f >= level) continue;
      level = f;  // an ancestor
      for (const char* k :
           {"resources:", "podSecurityContext:", "securityContext:", "issuerRef:", "labels:"}) {
        if (lines[j].compare(f, std::string(k).size(), k) == 0) inside_kubernetes_object = true;
      }
    }
    if (inside_kubernetes_object) continue;
    bool documented = i > 0 && lines[i - 1].find('#') != std::string::npos;
    if (is_section && !documented && i + 1 < lines.size()) {
      documented = lines[i + 1].find('#') != std::string::npos;  // documented children
    }
    EXPECT_TRUE(documented) << "values.yaml:" << i + 1 << " has no comment: " << l;
  }
}

TEST_F(HelmTest, RenderedChartPassesServerSideDryRun) {
  // The value sets whose kinds this control plane serves (cert-manager and the
  // Prometheus Operator CRDs are not installed here; lint covers those templates).
  for (const std::string& values :
       std::vector<std::string>{"", "--set grafana.dashboard.enabled=true",
                                "--set development.enabled=true --set operator.replicas=0"}) {
    auto rendered =
        Helm(std::string("template modelmonitor ") + kChart + " --namespace default " + values);
    ASSERT_EQ(rendered.exit_code, 0) << rendered.text;
    auto applied = Kubectl("apply --dry-run=server -f -", rendered.text);
    EXPECT_EQ(applied.exit_code, 0) << values << "\n" << applied.output;
  }
}

// The metric names users can scrape, as the binaries declare them once
// (common/metrics/metric_names.h; metric_names_test checks the docs' tables against it).
std::set<std::string> ExposedMetricNames() {
  const auto all = metrics::names::All();
  return {all.begin(), all.end()};
}

// Every modelmonitor_* name in `text` (a histogram's _bucket/_sum/_count counted as
// the histogram) that is not in `known`.
std::set<std::string> UnknownMetrics(const std::string& text, const std::set<std::string>& known) {
  std::set<std::string> unknown;
  const std::regex name(R"(\bmodelmonitor_[a-z0-9_]+)");
  for (std::sregex_iterator m(text.begin(), text.end(), name), end; m != end; ++m) {
    std::string n = m->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0 &&
          known.count(n.substr(0, n.size() - s.size()))) {
        n = n.substr(0, n.size() - s.size());
      }
    }
    if (!known.count(n)) unknown.insert(n);
  }
  return unknown;
}

TEST_F(HelmTest, DashboardAndAlertRulesUseRealMetricNames) {
  const auto known = ExposedMetricNames();
  ASSERT_GT(known.size(), 40u);
  auto rendered = Helm(std::string("template modelmonitor ") + kChart +
                       " --set grafana.dashboard.enabled=true"
                       " --set prometheus.prometheusRule.enabled=true");
  ASSERT_EQ(rendered.exit_code, 0) << rendered.text;
  const auto docs = YamlObjects(rendered.text);
  const json configmap = FindObject(docs, "ConfigMap");
  ASSERT_TRUE(configmap.is_object());
  EXPECT_EQ(configmap["metadata"]["labels"]["grafana_dashboard"], "1");
  const json dashboard =
      json::parse(configmap["data"].value("modelmonitor.json", ""), nullptr, false);
  ASSERT_TRUE(dashboard.is_object()) << "the dashboard is not JSON";
  EXPECT_GE(dashboard["panels"].size(), 15u);
  EXPECT_GE(dashboard["annotations"]["list"].size(), 3u);
  for (const auto& panel : dashboard["panels"]) {
    if (panel["type"] == "row") continue;
    const auto unknown = UnknownMetrics(panel["targets"].dump(), known);
    EXPECT_TRUE(unknown.empty()) << "panel \"" << panel["title"].get<std::string>() << "\" uses "
                                 << *unknown.begin();
  }
  const std::string dashboard_text = dashboard.dump();
  for (const char* metric :
       {"modelmonitor_sidecar_request_duration_seconds_bucket",
        "modelmonitor_sidecar_time_to_first_token_seconds_bucket",
        "modelmonitor_sidecar_requests_total", "modelmonitor_sidecar_model_cpu_cores",
        "modelmonitor_sidecar_model_working_set_bytes",
        "modelmonitor_sidecar_gpu_utilization_ratio", "modelmonitor_accuracy", "modelmonitor_f1",
        "modelmonitor_auc_roc", "modelmonitor_rmse", "modelmonitor_label_coverage"}) {
    EXPECT_NE(dashboard_text.find(metric), std::string::npos) << "no panel shows " << metric;
  }
  const json rule = FindObject(docs, "PrometheusRule");
  ASSERT_TRUE(rule.is_object());
  const auto unknown = UnknownMetrics(rule["spec"].dump(), known);
  EXPECT_TRUE(unknown.empty()) << "the PrometheusRule uses " << *unknown.begin();
}

// The PromQL of a Grafana query with Grafana's variables replaced by values.
std::string WithoutGrafanaVariables(std::string expr) {
  for (const auto& [variable, value] : std::vector<std::pair<std::string, std::string>>{
           {"$__rate_interval", "5m"}, {"$namespace", "prod"}, {"$monitor", ".*"}}) {
    for (size_t at; (at = expr.find(variable)) != std::string::npos;) {
      expr.replace(at, variable.size(), value);
    }
  }
  std::replace(expr.begin(), expr.end(), '\n', ' ');
  return expr;
}

TEST_F(HelmTest, DashboardAndAlertQueriesParseAsPromQL) {
  const auto checker = std::filesystem::path(HelmPath()).parent_path() / "promql-check";
  if (!std::filesystem::exists(checker)) {
    GTEST_SKIP() << checker
                 << " is not built: run scripts/build-promql-check (`make test` runs it)";
  }
  auto rendered = Helm(std::string("template modelmonitor ") + kChart +
                       " --set grafana.dashboard.enabled=true"
                       " --set prometheus.prometheusRule.enabled=true");
  ASSERT_EQ(rendered.exit_code, 0) << rendered.text;
  const auto docs = YamlObjects(rendered.text);
  const json dashboard = json::parse(
      FindObject(docs, "ConfigMap")["data"].value("modelmonitor.json", ""), nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  std::string queries;
  size_t count = 0;
  auto add = [&](const std::string& expr) {
    queries += WithoutGrafanaVariables(expr) + "\n";
    ++count;
  };
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel.value("targets", json::array())) add(target["expr"]);
  }
  for (const auto& annotation : dashboard["annotations"]["list"]) {
    if (annotation.contains("expr")) add(annotation["expr"]);
  }
  const json prometheus_rule = FindObject(docs, "PrometheusRule");  // the loop reads into it
  for (const auto& group : prometheus_rule["spec"]["groups"]) {
    for (const auto& rule : group["rules"]) add(rule["expr"]);
  }
  ASSERT_GE(count, 35u);
  const std::string file = ControlPlaneEnvironment::Get().dir() + "/queries.promql";
  std::ofstream(file) << queries;
  auto checked = Shell(ShellQuote(checker.string()) + " < " + ShellQuote(file));
  EXPECT_EQ(checked.exit_code, 0) << checked.text;
  EXPECT_NE(checked.text.find(std::to_string(count) + " of " + std::to_string(count)),
            std::string::npos)
      << checked.text;
}

// The optional parts (Prometheus Operator objects, cert-manager certificates) against
// the real CRDs of those projects (scripts/fetch-test-crds), which the API server
// checks field by field (kubectl's strict field validation).
TEST_F(HelmTest, OptionalPartsPassServerSideDryRunAgainstTheirProjectsCrds) {
  const auto crds = std::filesystem::path(HelmPath()).parent_path().parent_path() / "crds";
  if (!std::filesystem::exists(crds / ".stamp")) {
    GTEST_SKIP() << crds << " is missing: run scripts/fetch-test-crds (`make test` runs it)";
  }
  auto applied = Kubectl("apply --server-side -f " + ShellQuote(crds.string()));
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  for (const char* crd :
       {"podmonitors.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com",
        "prometheusrules.monitoring.coreos.com", "certificates.cert-manager.io",
        "issuers.cert-manager.io"}) {
    auto established =
        Kubectl(std::string("wait --for condition=Established crd/") + crd + " --timeout=60s");
    ASSERT_EQ(established.exit_code, 0) << established.output;
  }
  for (const auto& values : kValueSets) {
    auto rendered =
        Helm(std::string("template modelmonitor ") + kChart + " --namespace default " + values);
    ASSERT_EQ(rendered.exit_code, 0) << values << "\n" << rendered.text;
    auto dry_run = Kubectl("apply --dry-run=server -f -", rendered.text);
    EXPECT_EQ(dry_run.exit_code, 0) << values << "\n" << dry_run.output;
  }
}

TEST_F(HelmTest, ManifestsAreInSyncWithTheChartAndApply) {
  auto check = Shell("HELM=" + ShellQuote(HelmPath()) + " " +
                     ShellQuote(SourcePath("scripts/render-manifests").string()) + " --check");
  EXPECT_EQ(check.exit_code, 0) << check.text;
  // A server-side dry run creates nothing, so the namespace the manifests create
  // first must exist for the objects in it.
  Kubectl("create namespace modelmonitor");
  auto applied =
      Kubectl("apply --dry-run=server -f " + ShellQuote(SourcePath("manifests").string()));
  EXPECT_EQ(applied.exit_code, 0) << applied.output;
}

TEST_F(HelmTest, CrdIsTheOneInCrdsFolderAlsoInAPackagedChart) {
  const std::string crd = ReadFile(SourcePath("crds/modelmonitor.io_modelmonitors.yaml"));
  ASSERT_FALSE(crd.empty());
  EXPECT_TRUE(std::filesystem::is_symlink(
      SourcePath(std::string(kChart) + "/crds/modelmonitor.io_modelmonitors.yaml")))
      << "the chart must link crds/, not hold a copy that can drift";
  auto shown = Helm(std::string("show crds ") + kChart);
  EXPECT_EQ(shown.text, crd + "\n");  // helm ends each file with a newline
  const std::string dir = ControlPlaneEnvironment::Get().dir() + "/helm-package";
  auto packaged = Helm(std::string("package ") + kChart + " -d " + ShellQuote(dir));
  ASSERT_EQ(packaged.exit_code, 0) << packaged.text;
  auto in_package = Shell("tar -xzOf " + ShellQuote(dir + "/modelmonitor-0.1.0.tgz") +
                          " modelmonitor/crds/modelmonitor.io_modelmonitors.yaml");
  ASSERT_EQ(in_package.exit_code, 0) << in_package.text;
  EXPECT_EQ(in_package.text, crd);
}

}  // namespace
}  // namespace mm::testing
