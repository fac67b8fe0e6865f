#include "operator/reconcile/monitor_view.h"

namespace mm::op {
namespace {

// The member `key` when it is an object, else an empty object: a malformed
// field reads as absent here, and the API schema rejects it at admission.
const nlohmann::json& ObjectField(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

std::string StringField(const nlohmann::json& j, const char* key, const char* fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

MonitorView MonitorView::FromJson(const nlohmann::json& object) {
  MonitorView v;
  const auto& meta = ObjectField(object, "metadata");
  v.ns = StringField(meta, "namespace");
  v.name = StringField(meta, "name");
  v.uid = StringField(meta, "uid");
  if (auto g = meta.find("generation"); g != meta.end() && g->is_number_integer()) {
    v.generation = g->get<int64_t>();
  }
  const auto& spec = ObjectField(object, "spec");
  if (auto sel = spec.find("selector"); sel == spec.end() || sel->is_null()) {
    v.selector_error = "spec.selector: required (a LabelSelector naming the model pods)";
  } else {
    auto parsed = kube::LabelSelector::FromJson(*sel);
    if (parsed) {
      v.selector = std::move(parsed.value());
    } else {
      v.selector_error = "spec." + parsed.error().message;
    }
  }
  if (auto t = spec.find("target"); t != spec.end() && t->is_object()) {
    v.target_kind = StringField(*t, "kind", "Deployment");
    v.target_name = StringField(*t, "name");
  }
  if (object.is_object()) v.status = object.value("status", nlohmann::json());
  return v;
}

}  // namespace mm::op
