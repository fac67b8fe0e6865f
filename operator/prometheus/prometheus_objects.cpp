#include "operator/prometheus/prometheus_objects.h"

#include "common/kube/resource_path.h"
#include "common/log.h"

namespace mm::op {
namespace {

using nlohmann::json;

constexpr int kAttempts = 5;
constexpr char kHashAnnotation[] = "modelmonitor.io/applied-hash";

bool IsEmptyContainer(const json& v) { return (v.is_array() || v.is_object()) && v.empty(); }

// Whether `have` holds everything `want` says: every key of an object (a missing key
// equals an empty array or object), arrays element by element, scalars equal. Keys only
// `have` has (the API server's defaults) are no difference.
bool Contains(const json& have, const json& want) {
  if (want.is_object()) {
    if (!have.is_object()) return false;
    for (const auto& [key, value] : want.items()) {
      const auto it = have.find(key);
      if (it == have.end()) {
        if (!IsEmptyContainer(value)) return false;
      } else if (!Contains(*it, value)) {
        return false;
      }
    }
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      if (!Contains(have[i], want[i])) return false;
    }
    return true;
  }
  if (want.is_number() && have.is_number()) return want.get<double>() == have.get<double>();
  return have == want;
}

std::string HashText(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool UpToDate(const json& current, const json& desired, const std::string& hash) {
  const json meta = current.value("metadata", json::object());
  const json annotations = meta.value("annotations", json::object());
  return annotations.is_object() && annotations.value(kHashAnnotation, "") == hash &&
         Contains(meta.value("labels", json::object()), desired["metadata"]["labels"]) &&
         Contains(meta.value("ownerReferences", json::array()),
                  desired["metadata"]["ownerReferences"]) &&
         Contains(current.value("spec", json::object()), desired["spec"]);
}

}  // namespace

uint64_t ObjectHash(const json& object) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : object.dump()) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Result<bool> ApplyObject(kube::KubeClient& client, const std::string& resource,
                         const json& desired) {
  const std::string ns = desired["metadata"].value("namespace", "");
  const std::string name = desired["metadata"].value("name", "");
  const std::string kind = desired.value("kind", resource);
  const std::string where = kind + " " + ns + "/" + name;
  const std::string path = kube::ResourcePath{kMonitoringApiVersion, resource, ns, name}.Url();
  const std::string hash = HashText(ObjectHash(desired));
  json want = desired;
  want["metadata"]["annotations"][kHashAnnotation] = hash;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const auto got = client.Get(path);
    if (got.status == 404) {
      const auto created =
          client.Create(kube::ResourcePath{kMonitoringApiVersion, resource, ns}.Url(), want);
      if (created.ok()) return true;
      if (created.status == 409) continue;  // created meanwhile: read it
      return Error{"cannot create " + where + " (HTTP " + std::to_string(created.status) +
                   "): " + created.Message()};
    }
    if (!got.ok()) {
      return Error{"cannot read " + where + " (HTTP " + std::to_string(got.status) +
                   "): " + got.Message()};
    }
    if (UpToDate(got.body, desired, hash)) return false;
    // Keep what others added to metadata; ours wins where both set a key.
    json next = got.body;
    json& meta = next["metadata"];
    for (const char* field : {"labels", "annotations"}) {
      if (!meta.contains(field) || !meta[field].is_object()) meta[field] = json::object();
      for (const auto& [k, v] : want["metadata"][field].items()) meta[field][k] = v;
    }
    meta["ownerReferences"] = want["metadata"]["ownerReferences"];
    next["spec"] = want["spec"];
    const auto replaced = client.Replace(path, next);
    if (replaced.ok()) return true;
    if (replaced.status == 409 || replaced.status == 404) continue;  // changed or deleted
    return Error{"cannot update " + where + " (HTTP " + std::to_string(replaced.status) +
                 "): " + replaced.Message()};
  }
  return Error{where + " kept changing; gave up after " + std::to_string(kAttempts) + " attempts"};
}

Result<bool> PrometheusObjects::Served(kube::KubeClient& client) {
  const auto now = o_.now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (served_ && now - served_checked_ < o_.discovery_recheck) return *served_;
  }
  const auto r = client.Get(kMonitoringGroupVersionPath);
  bool served = false;
  if (r.ok()) {
    bool pod_monitors = false, rules = false;
    for (const auto& res : r.body.value("resources", json::array())) {
      if (!res.is_object()) continue;
      const std::string name = res.value("name", "");
      pod_monitors = pod_monitors || name == kPodMonitorResource;
      rules = rules || name == kPrometheusRuleResource;
    }
    served = pod_monitors && rules;
  } else if (r.status != 404) {
    return Error{std::string("cannot discover ") + kMonitoringApiVersion + " (HTTP " +
                 std::to_string(r.status) + "): " + r.Message()};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (served_ != served) {
    log::Info(served ? "Prometheus Operator CRDs found: keeping PodMonitors and PrometheusRules"
                     : "Prometheus Operator CRDs not served: no PodMonitors or PrometheusRules",
              {{"groupVersion", kMonitoringApiVersion}});
  }
  served_ = served;
  served_checked_ = now;
  return served;
}

PrometheusObjects::Report PrometheusObjects::Ensure(kube::KubeClient& client,
                                                    const api::ModelMonitor& monitor) {
  Report report;
  const std::string& uid = monitor.metadata.uid;
  auto served = Served(client);
  if (!served) {
    report.outcome = Outcome::kFailed;
    report.message = served.error().message;
    return report;
  }
  if (!served.value()) {
    report.outcome = Outcome::kNotServed;
    report.message = std::string(
                         "the API server does not serve podmonitors and "
                         "prometheusrules in ") +
                     kMonitoringApiVersion +
                     " (install the Prometheus Operator's CRDs); no PodMonitor or "
                     "PrometheusRule is kept for this monitor";
    std::lock_guard<std::mutex> lock(mu_);
    if (told_not_served_.size() > 100000) told_not_served_.clear();  // deleted monitors' uids
    report.first_report = told_not_served_.insert(uid).second;
    applied_.erase(uid);
    return report;
  }

  const MonitoringObjects objects = BuildMonitoringObjects(monitor, o_.labels);
  report.rules = objects.rules;
  report.untranslated = objects.untranslated;
  const uint64_t hash = ObjectHash(json::array({objects.pod_monitor, objects.prometheus_rule}));
  const auto now = o_.now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    told_not_served_.erase(uid);  // tell again if the CRDs go away
    auto it = applied_.find(uid);
    if (it != applied_.end() && it->second.hash == hash && now - it->second.when < o_.recheck) {
      return report;
    }
  }
  bool wrote = false;
  for (const auto& [resource, object] :
       {std::pair{kPodMonitorResource, &objects.pod_monitor},
        std::pair{kPrometheusRuleResource, &objects.prometheus_rule}}) {
    auto applied = ApplyObject(client, resource, *object);
    if (!applied) {
      report.outcome = Outcome::kFailed;
      report.message = applied.error().message;
      std::lock_guard<std::mutex> lock(mu_);
      applied_.erase(uid);
      return report;
    }
    wrote = wrote || applied.value();
  }
  report.outcome = wrote ? Outcome::kApplied : Outcome::kUnchanged;
  std::lock_guard<std::mutex> lock(mu_);
  if (applied_.size() > 100000) applied_.clear();  // deleted monitors' entries
  applied_[uid] = {hash, now};
  return report;
}

}  // namespace mm::op
