#include "operator/webhook/sidecar_resources.h"

#include <array>
#include <cctype>
#include <cmath>
#include <utility>

#include "operator/webhook/annotations.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

struct Suffix {
  std::string_view text;
  long double factor;
};
constexpr std::array<Suffix, 16> kSuffixes = {{
    {"Ki", 1024.0L},
    {"Mi", 1048576.0L},
    {"Gi", 1073741824.0L},
    {"Ti", 1099511627776.0L},
    {"Pi", 1125899906842624.0L},
    {"Ei", 1152921504606846976.0L},
    {"n", 1e-9L},
    {"u", 1e-6L},
    {"m", 1e-3L},
    {"", 1.0L},
    {"k", 1e3L},
    {"M", 1e6L},
    {"G", 1e9L},
    {"T", 1e12L},
    {"P", 1e15L},
    {"E", 1e18L},
}};

struct Override {
  const char* annotation;
  const char* section;   // "requests" or "limits"
  const char* resource;  // "cpu" or "memory"
  const char* example;
};
constexpr std::array<Override, 4> kOverrides = {{
    {kSidecarCpuAnnotation, "requests", "cpu", "100m"},
    {kSidecarMemoryAnnotation, "requests", "memory", "128Mi"},
    {kSidecarCpuLimitAnnotation, "limits", "cpu", "1"},
    {kSidecarMemoryLimitAnnotation, "limits", "memory", "256Mi"},
}};

std::optional<long double> QuantityAt(const json& req, const char* section, const char* resource) {
  const auto s = req.find(section);
  if (s == req.end() || !s->is_object()) return std::nullopt;
  const auto r = s->find(resource);
  if (r == s->end()) return std::nullopt;
  if (r->is_number()) return r->get<long double>();
  if (r->is_string()) return ParseQuantity(r->get<std::string>());
  return std::nullopt;
}

}  // namespace

std::optional<long double> ParseQuantity(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  const size_t digits_start = i;
  bool seen_dot = false, seen_digit = false;
  for (; i < text.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      seen_digit = true;
    } else if (text[i] == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  const long double number = std::stold(std::string(text.substr(digits_start, i - digits_start)));
  const std::string_view suffix = text.substr(i);
  long double factor = 0;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    // A decimal exponent: "1e3", "5E-2" (but a bare "E" is exa, handled below).
    size_t j = 1;
    if (suffix[j] == '+' || suffix[j] == '-') ++j;
    if (j == suffix.size() || suffix.size() - j > 3) return std::nullopt;
    for (size_t k = j; k < suffix.size(); ++k) {
      if (!std::isdigit(static_cast<unsigned char>(suffix[k]))) return std::nullopt;
    }
    factor = std::pow(10.0L, std::stold(std::string(suffix.substr(1))));
  } else {
    for (const auto& s : kSuffixes) {
      if (s.text == suffix) factor = s.factor;
    }
    if (factor == 0) return std::nullopt;
  }
  const long double value = number * factor;
  return negative ? -value : value;
}

SidecarResources ResolveSidecarResources(const ResourceDefaults& defaults,
                                         const json& monitor_resources,
                                         const json& pod_annotations) {
  SidecarResources out;
  json& req = out.requirements;
  req = {{"requests", {{"cpu", defaults.cpu_request}, {"memory", defaults.memory_request}}},
         {"limits", {{"cpu", defaults.cpu_limit}, {"memory", defaults.memory_limit}}}};
  if (monitor_resources.is_object()) {
    for (const char* section : {"requests", "limits"}) {
      const auto s = monitor_resources.find(section);
      if (s == monitor_resources.end() || !s->is_object()) continue;
      for (const auto& [name, value] : s->items()) req[section][name] = value;
    }
    // A monitor that asks for more than the operator's default limit gets that
    // much as its limit: the API server rejects a request above its limit.
    for (const char* resource : {"cpu", "memory"}) {
      const auto request = QuantityAt(req, "requests", resource);
      const auto limit = QuantityAt(req, "limits", resource);
      if (request && limit && *request > *limit) {
        out.warnings.push_back(std::string("spec.sidecar.resources: the ") + resource +
                               " request is above its limit; the limit is raised to the request");
        req["limits"][resource] = req["requests"][resource];
      }
    }
  }
  if (!pod_annotations.is_object()) return out;
  for (const auto& o : kOverrides) {
    const auto a = pod_annotations.find(o.annotation);
    if (a == pod_annotations.end() || !a->is_string()) continue;
    const std::string& text = a->get_ref<const std::string&>();
    const auto q = ParseQuantity(text);
    if (!q || *q < 0) {
      out.warnings.push_back(std::string(o.annotation) + ": \"" + text.substr(0, 32) +
                             "\" is not a quantity (use e.g. " + o.example + "); ignored");
      continue;
    }
    json candidate = req;
    candidate[o.section][o.resource] = text;
    const auto request = QuantityAt(candidate, "requests", o.resource);
    const auto limit = QuantityAt(candidate, "limits", o.resource);
    if (request && limit && *request > *limit) {
      out.warnings.push_back(std::string(o.annotation) + ": \"" + text + "\" would put the " +
                             o.resource + " request above its limit; ignored");
      continue;
    }
    req = std::move(candidate);
  }
  return out;
}

}  // namespace mm::webhook
