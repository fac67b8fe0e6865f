// Admission latency of the sidecar injection webhook while N pods are created
// concurrently against a real kube-apiserver (bench/run-admission.sh starts one).
//
// Prints, for one run:
//   webhook    the webhook's own time per AdmissionReview (decode, monitor lookup,
//              patch, encode), measured around the HTTP handler;
//   create+wh  a client's pod CREATE latency in a namespace the webhook serves;
//   create     the same in a namespace labelled modelmonitor.io/injection=disabled
//              (the API server does not call the webhook): the baseline;
// and the ratio of create+wh to create at p50 and p99. Every pod of the webhook's
// namespace must come back injected and none of the other's: anything else ends
// the run with the reason and exit status 1.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/figures.h"
#include "common/kube/kubeconfig.h"
#include "common/kube/resource_path.h"
#include "common/kube/rest_kube_client.h"
#include "common/log.h"
#include "common/tls/server_context.h"
#include "operator/webhook/admission_handler.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/certificate_secret.h"
#include "operator/webhook/webhook_configuration.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using mm::bench::Fail;
using mm::bench::Format;
using mm::kube::ResourcePath;

// Monitors held in memory: what the webhook costs once the informer cache serves lookups.
class InMemoryLookup final : public mm::webhook::MonitorLookup {
 public:
  mm::Result<std::vector<mm::api::ParsedMonitor>> MonitorsIn(const std::string&) override {
    return monitors;
  }
  std::vector<mm::api::ParsedMonitor> monitors;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

json Pod(const std::string& name) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"labels", {{"app", "fraud"}}}}},
      {"spec",
       {{"containers",
         json::array({{{"name", "model"},
                       {"image", "fraud:v1"},
                       {"ports", json::array({{{"name", "http"}, {"containerPort", 8000}}})}}})}}}};
}

// Creates `n` pods at once from `n` threads; returns each CREATE's latency in ms.
// A failed CREATE ends the run: its latency would not be one.
std::vector<double> CreateConcurrently(mm::kube::KubeClient& client, const std::string& ns, int n,
                                       const std::string& prefix, int* injected) {
  std::vector<double> ms(static_cast<size_t>(n));
  std::atomic<int> with_sidecar{0}, failed{0};
  std::mutex mu;
  std::string first_error;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      const auto start = Clock::now();
      auto r = client.Create(ResourcePath{"v1", "pods", ns}.Url(), Pod(prefix + std::to_string(i)));
      ms[static_cast<size_t>(i)] =
          std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!r.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (failed++ == 0) first_error = r.Message();
      } else if (r.body["spec"].contains("initContainers")) {
        ++with_sidecar;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  if (failed > 0) {
    Fail(Format("%d of %d pod CREATEs in %s failed; the first: %s", failed.load(), n, ns.c_str(),
                first_error.c_str()));
  }
  *injected = with_sidecar;
  return ms;
}

void Print(const char* what, const std::vector<double>& ms) {
  std::printf("%-10s n=%3zu  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", what, ms.size(),
              Percentile(ms, 0.50), Percentile(ms, 0.99), Percentile(ms, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  mm::bench::StartBenchmark("admission_bench");
  CLI::App app{"admission_bench: webhook admission latency under concurrent pod creation"};
  std::string kubeconfig;
  int pods = 50;
  int rounds = 3;
  // The defaults are the operator's: its webhook serves on 8 threads
  // (SidecarInjectorOptions) and looks monitors up in its informer cache.
  int threads = 8;
  std::string lookup_kind = "memory";
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig of the control plane")->required();
  app.add_option("--pods", pods, "pods created concurrently")->capture_default_str();
  app.add_option("--rounds", rounds, "rounds, alternating baseline and webhook, after a warm-up")
      ->capture_default_str();
  app.add_option("--threads", threads, "webhook server threads")->capture_default_str();
  app.add_option("--lookup", lookup_kind,
                 "memory: monitors held in memory, as the operator's informer cache serves them; "
                 "api: list ModelMonitors per review (ApiMonitorLookup, what the operator does "
                 "until its cache has synced)")
      ->check(CLI::IsMember({"api", "memory"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  mm::log::SetMinLevel(mm::log::Level::kWarning);

  auto config = mm::kube::LoadKubeconfig(kubeconfig);
  if (!config) {
    Fail(config.error().message);
  }
  mm::kube::RestKubeClient client(config.value());
  const std::string suffix = std::to_string(::getpid());
  const std::string ns_on = "bench-on-" + suffix, ns_off = "bench-off-" + suffix;
  for (const auto& [ns, labels] :
       {std::pair{ns_on, json::object()},
        std::pair{ns_off, json{{mm::webhook::kInjectionNamespaceLabel, "disabled"}}},
        std::pair{std::string("modelmonitor"), json::object()}}) {
    auto r =
        client.Create("/api/v1/namespaces", {{"apiVersion", "v1"},
                                             {"kind", "Namespace"},
                                             {"metadata", {{"name", ns}, {"labels", labels}}}});
    if (!r.ok() && r.status != 409) {
      Fail("namespace " + ns + ": " + r.Message());
    }
  }
  const json monitor = {{"apiVersion", "modelmonitor.io/v1alpha1"},
                        {"kind", "ModelMonitor"},
                        {"metadata", {{"name", "fraud"}}},
                        {"spec",
                         {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
                          {"target", {{"kind", "Deployment"}, {"name", "fraud"}}},
                          {"serving", {{"port", "http"}}}}}};
  for (const auto& ns : {ns_on, ns_off}) {
    auto r =
        client.Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(), monitor);
    if (!r.ok()) {
      Fail("creating ModelMonitor " + ns + "/fraud (is the CRD installed?): " + r.Message());
    }
  }

  // The webhook as SidecarInjector serves it, with the handler timed.
  mm::webhook::CertificateSecretOptions secret;
  secret.serving.common_name = "127.0.0.1";
  secret.serving.ip_addresses = {"127.0.0.1"};
  auto certs =
      mm::webhook::EnsureWebhookCertificates(client, secret, std::chrono::system_clock::now());
  if (!certs) {
    Fail("webhook certificates: " + certs.error().message);
  }
  mm::webhook::ApiMonitorLookup api_lookup(client);
  InMemoryLookup memory_lookup;
  memory_lookup.monitors.push_back(mm::api::ParsedMonitor::FromJson(monitor));
  mm::webhook::MonitorLookup& lookup =
      lookup_kind == "api" ? static_cast<mm::webhook::MonitorLookup&>(api_lookup) : memory_lookup;
  mm::webhook::PodMutator mutator(lookup, {});
  auto handler = mm::webhook::MakeAdmissionHandler(mutator);
  std::mutex mu;
  std::vector<double> webhook_ms;
  mm::http::ServerOptions so;
  so.threads = threads;
  so.tls = mm::tls::MakeServerContext(certs->cert_pem, certs->key_pem).value();
  mm::http::Server server(so);
  server.Handle("POST", mm::webhook::kMutatePodPath, [&](const mm::http::Request& req) {
    const auto start = Clock::now();
    auto resp = handler(req);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::lock_guard<std::mutex> lock(mu);
    webhook_ms.push_back(ms);
    return resp;
  });
  if (auto s = server.Start(); !s) {
    Fail("webhook server: " + s.error().message);
  }
  mm::webhook::WebhookConfigurationOptions wc;
  wc.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/mutate-v1-pod";
  wc.ca_bundle_pem = certs->ca_pem;
  if (auto s = mm::webhook::ApplyWebhookConfiguration(client,
                                                      mm::webhook::BuildWebhookConfiguration(wc));
      !s) {
    Fail("MutatingWebhookConfiguration: " + s.error().message);
  }
  // Wait until the API server calls the webhook (its configuration cache is asynchronous).
  for (int i = 0;; ++i) {
    auto r =
        client.Create(ResourcePath{"v1", "pods", ns_on}.Url(), Pod("warmup-" + std::to_string(i)));
    if (r.ok() && r.body["spec"].contains("initContainers")) break;
    if (i > 100) {
      Fail("the API server never called the webhook within 10 s of its configuration");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a remote cache
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    webhook_ms.clear();
  }

  // A warm-up round each way (connections, caches), then alternating rounds.
  int injected_off = 0, injected_on = 0, total_off = 0, total_on = 0;
  CreateConcurrently(client, ns_off, pods, "warm-", &injected_off);
  CreateConcurrently(client, ns_on, pods, "warm-", &injected_on);
  {
    std::lock_guard<std::mutex> lock(mu);
    webhook_ms.clear();
  }
  std::vector<double> baseline, with_webhook;
  for (int round = 0; round < rounds; ++round) {
    const std::string prefix = "r" + std::to_string(round) + "-";
    auto off = CreateConcurrently(client, ns_off, pods, prefix, &injected_off);
    auto on = CreateConcurrently(client, ns_on, pods, prefix, &injected_on);
    baseline.insert(baseline.end(), off.begin(), off.end());
    with_webhook.insert(with_webhook.end(), on.begin(), on.end());
    total_off += injected_off;
    total_on += injected_on;
  }
  std::lock_guard<std::mutex> lock(mu);
  std::printf(
      "%d rounds of %d pods created concurrently, each way (lookup %s, %d server threads; each pod "
      "is reviewed twice: the ServiceAccount plugin's change to the added "
      "container re-invokes the webhook)\n",
      rounds, pods, lookup_kind.c_str(), threads);
  Print("webhook", webhook_ms);
  Print("create+wh", with_webhook);
  Print("create", baseline);
  std::printf("injected: %d/%d with the webhook, %d/%d in the disabled namespace\n", total_on,
              pods * rounds, total_off, pods * rounds);
  std::printf("ratio create+wh / create: p50 %.2fx  p99 %.2fx\n",
              Percentile(with_webhook, 0.5) / Percentile(baseline, 0.5),
              Percentile(with_webhook, 0.99) / Percentile(baseline, 0.99));
  client.Delete(
      ResourcePath{"admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", "", wc.name}
          .Url());
  if (total_on != pods * rounds || total_off != 0) {
    Fail(
        Format("%d of %d pods were injected in the webhook's namespace (want all) and %d of %d in "
               "the disabled one (want none)",
               total_on, pods * rounds, total_off, pods * rounds));
  }
  // Each pod is reviewed twice (see above), so reviews may outnumber pods, never fall short.
  mm::bench::Require(static_cast<int>(webhook_ms.size()) >= pods * rounds,
                     Format("the webhook timed %zu reviews for %d injected pods", webhook_ms.size(),
                            pods * rounds));
  using mm::bench::Checked;
  const double wh50 = Checked("webhook p50", Percentile(webhook_ms, 0.5), 0.001);
  const double wh99 = Checked("webhook p99", Percentile(webhook_ms, 0.99), wh50);
  const double on50 = Checked("create+wh p50", Percentile(with_webhook, 0.5), 0.01);
  const double on99 = Checked("create+wh p99", Percentile(with_webhook, 0.99), on50);
  const double off50 = Checked("create p50", Percentile(baseline, 0.5), 0.01);
  const double off99 = Checked("create p99", Percentile(baseline, 0.99), off50);
  mm::bench::Row("admission webhook, p50 / p99" +
                     std::string(lookup_kind == "api" ? " (monitors listed through the API)" : ""),
                 Format("%.2f / %.1f ms per review; pod CREATE with it %.0f / %.0f ms (%d at once)",
                        wh50, wh99, on50, on99, pods),
                 Format("pod CREATE without the webhook: %.0f / %.0f ms (%.2fx / %.2fx)", off50,
                        off99, on50 / off50, on99 / off99));
  return 0;
}
