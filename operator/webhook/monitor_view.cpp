#include "operator/webhook/monitor_view.h"

#include "common/kube/label_selector.h"

namespace mm::webhook {

using nlohmann::json;

// ADAPTER (see the header): replace with common/api's parser when it lands.
Result<MonitorView> MonitorFromJson(const json& object) {
  if (!object.is_object()) return Error{"a ModelMonitor must be a JSON object"};
  const json& meta = object.contains("metadata") ? object["metadata"] : json::object();
  MonitorView m;
  if (!meta.is_object()) return Error{"metadata: must be an object"};
  m.ns = meta.value("namespace", "");
  m.name = meta.value("name", "");
  m.uid = meta.value("uid", "");
  m.generation = meta.contains("generation") && meta["generation"].is_number_integer()
                     ? meta["generation"].get<int64_t>()
                     : 0;
  m.creation_timestamp = meta.value("creationTimestamp", "");
  if (m.name.empty()) return Error{"metadata.name: required"};
  const std::string where = m.ns + "/" + m.name + ": ";

  const auto spec_it = object.find("spec");
  if (spec_it == object.end() || !spec_it->is_object()) return Error{where + "spec: required"};
  const json& spec = *spec_it;

  const auto sel = spec.find("selector");
  if (sel == spec.end() || sel->is_null()) return Error{where + "spec.selector: required"};
  if (auto s = kube::ValidateLabelSelector(*sel); !s) {
    return Error{where + "spec." + s.error().message};  // "selector.matchLabels.a: ..."
  }
  m.selector = *sel;

  json serving = spec.value("serving", json::object());
  if (!serving.is_object()) return Error{where + "spec.serving: must be an object"};
  if (const auto port = serving.find("port"); port != serving.end() && !port->is_null()) {
    if (port->is_number_integer()) {
      const auto p = port->get<int64_t>();
      if (p < 1 || p > 65535) return Error{where + "spec.serving.port: must be 1..65535"};
      m.serving_port = static_cast<int>(p);
    } else if (port->is_string() && !port->get_ref<const std::string&>().empty()) {
      m.serving_port_name = port->get<std::string>();
    } else {
      return Error{where + "spec.serving.port: a port name (\"http\") or number (8000)"};
    }
  }

  json sidecar = spec.value("sidecar", json::object());
  if (!sidecar.is_object()) return Error{where + "spec.sidecar: must be an object"};
  if (const auto image = sidecar.find("image"); image != sidecar.end() && !image->is_null()) {
    if (!image->is_string()) return Error{where + "spec.sidecar.image: must be a string"};
    m.sidecar_image = image->get<std::string>();
  }
  if (const auto res = sidecar.find("resources"); res != sidecar.end() && !res->is_null()) {
    if (!res->is_object()) {
      return Error{where + "spec.sidecar.resources: must be {requests, limits}"};
    }
    m.sidecar_resources = *res;
  }
  sidecar.erase("image");
  sidecar.erase("resources");

  m.sidecar_config = {
      {"monitor",
       {{"namespace", m.ns}, {"name", m.name}, {"uid", m.uid}, {"generation", m.generation}}},
      {"serving", serving},
      {"sidecar", sidecar},
  };
  if (spec.contains("groundTruth")) m.sidecar_config["groundTruth"] = spec["groundTruth"];
  return m;
}

std::string SidecarConfigText(const MonitorView& monitor) { return monitor.sidecar_config.dump(); }

}  // namespace mm::webhook
