#include "operator/webhook/port_takeover.h"

#include <cctype>

namespace mm::webhook {
namespace {

using nlohmann::json;

constexpr size_t kMaxPortName = 15;

const json& PortsOf(const json& container) {
  static const json kNone = json::array();
  if (!container.is_object()) return kNone;
  const auto p = container.find("ports");
  return p != container.end() && p->is_array() ? *p : kNone;
}

std::string PortName(const json& port) {
  if (!port.is_object()) return "";
  const auto n = port.find("name");
  return n != port.end() && n->is_string() ? n->get<std::string>() : "";
}

int PortNumber(const json& port) {
  if (!port.is_object()) return 0;
  const auto n = port.find("containerPort");
  return n != port.end() && n->is_number_integer() ? n->get<int>() : 0;
}

std::string ContainerName(const json& c) {
  if (!c.is_object()) return "";
  const auto n = c.find("name");
  return n != c.end() && n->is_string() ? n->get<std::string>() : "";
}

template <typename F>
void ForEachPort(const json& spec, F f) {
  for (const char* list : {"containers", "initContainers"}) {
    const auto cs = spec.find(list);
    if (cs == spec.end() || !cs->is_array()) continue;
    for (const auto& c : *cs) {
      for (const auto& p : PortsOf(c)) f(p);
    }
  }
}

std::string DescribePorts(const json& containers) {
  std::string out;
  for (const auto& c : containers) {
    for (const auto& p : PortsOf(c)) {
      if (!out.empty()) out += ", ";
      out += ContainerName(c) + ":" + std::to_string(PortNumber(p));
      if (!PortName(p).empty()) out += " \"" + PortName(p) + "\"";
    }
  }
  return out.empty() ? "none declared" : out;
}

bool ValidPortName(const std::string& n) {
  if (n.empty() || n.size() > kMaxPortName || n.front() == '-' || n.back() == '-') return false;
  bool letter = false;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    if (std::islower(static_cast<unsigned char>(c))) {
      letter = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
    if (c == '-' && i > 0 && n[i - 1] == '-') return false;
  }
  return letter;
}

}  // namespace

std::set<std::string> PortNamesInUse(const json& spec) {
  std::set<std::string> names;
  ForEachPort(spec, [&](const json& p) {
    if (!PortName(p).empty()) names.insert(PortName(p));
  });
  return names;
}

std::set<int> PortNumbersInUse(const json& spec) {
  std::set<int> numbers;
  ForEachPort(spec, [&](const json& p) { numbers.insert(PortNumber(p)); });
  return numbers;
}

int FreePort(int preferred, const std::set<int>& used) {
  int p = preferred;
  for (int tries = 0; tries <= 65535; ++tries) {
    if (p != 0 && !used.count(p)) return p;
    p = p >= 65535 ? 1024 : p + 1;
  }
  return 0;
}

std::string RenamedPortName(const std::string& name, const std::set<std::string>& taken) {
  const std::string suffix = "-model";
  std::string stem = name.substr(0, kMaxPortName - suffix.size());
  while (!stem.empty() && stem.back() == '-') stem.pop_back();
  std::string candidate = stem + suffix;
  if (ValidPortName(candidate) && !taken.count(candidate)) return candidate;
  for (int i = 1;; ++i) {
    candidate = "model-" + std::to_string(i);
    if (!taken.count(candidate)) return candidate;
  }
}

Result<PortTakeover> PlanPortTakeover(const json& spec, const api::PortRef& port) {
  const auto cs = spec.find("containers");
  if (cs == spec.end() || !cs->is_array() || cs->empty()) {
    return Error{"the pod has no containers"};
  }
  const json& containers = *cs;
  PortTakeover t;
  bool found = false;
  for (size_t ci = 0; ci < containers.size() && !found; ++ci) {
    const json& ports = PortsOf(containers[ci]);
    for (size_t pi = 0; pi < ports.size() && !found; ++pi) {
      if (!ports[pi].is_object()) continue;
      const bool match =
          port.is_named() ? PortName(ports[pi]) == port.name : PortNumber(ports[pi]) == port.number;
      if (!match) continue;
      found = true;
      t.container_index = ci;
      t.port_index = pi;
      t.model_port = PortNumber(ports[pi]);
      t.original_name = PortName(ports[pi]);
    }
  }
  if (!found) {
    if (port.is_named()) {
      return Error{"spec.serving.port \"" + port.name +
                   "\" names no port of the pod's containers (ports: " + DescribePorts(containers) +
                   ")"};
    }
    // A number no container declares: forward to it from the first container's pod,
    // but nothing can be renamed.
    t.model_port = port.number;
    t.port_index.reset();
    t.warning = "port " + std::to_string(t.model_port) +
                " is not declared by any container; Services are not redirected to the sidecar";
  }
  t.container_name = ContainerName(containers[t.container_index]);
  if (t.model_port < 1 || t.model_port > 65535) {
    return Error{"the model port of container \"" + t.container_name + "\" has no valid number"};
  }
  if (t.port_index && t.original_name.empty()) {
    t.warning = "port " + std::to_string(t.model_port) + " of container \"" + t.container_name +
                "\" has no name; only Services that target a port name are redirected to the "
                "sidecar";
  }
  if (!t.original_name.empty())
    t.renamed_to = RenamedPortName(t.original_name, PortNamesInUse(spec));
  return t;
}

}  // namespace mm::webhook
