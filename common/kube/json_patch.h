#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mm::kube {

// RFC 6901: a reference token with '~' as "~0" and '/' as "~1", so the key
// "modelmonitor.io/injected" is addressed as "modelmonitor.io~1injected".
std::string EscapeJsonPointerToken(std::string_view token);

// RFC 6902 operations.
inline nlohmann::json AddOp(std::string path, nlohmann::json value) {
  return {{"op", "add"}, {"path", std::move(path)}, {"value", std::move(value)}};
}
inline nlohmann::json ReplaceOp(std::string path, nlohmann::json value) {
  return {{"op", "replace"}, {"path", std::move(path)}, {"value", std::move(value)}};
}

}  // namespace mm::kube
