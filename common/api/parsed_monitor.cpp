#include "common/api/parsed_monitor.h"

namespace mm::api {

ParsedMonitor ParsedMonitor::FromJson(const nlohmann::json& object) {
  ParsedMonitor m;
  m.meta = MetadataOf(object);
  auto parsed = ParseModelMonitor(object);
  if (!parsed) {
    m.error = parsed.error().message;
    return m;
  }
  auto selector = parsed->spec.selector.Compile();
  if (!selector) {
    m.error = "spec.selector." + selector.error().message;
    return m;
  }
  m.monitor = std::move(parsed).value();
  m.selector = std::move(selector).value();
  return m;
}

}  // namespace mm::api
