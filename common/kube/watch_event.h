#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mm::kube {

// One event of a watch stream, decoded and checked. The API server's watch
// lines are untrusted bytes from the network until this says otherwise.
struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  nlohmann::json object;         // the object; for kError a metav1.Status
  std::string resource_version;  // object.metadata.resourceVersion ("" for kError)
  int error_code = 0;            // kError: Status.code (410: the resourceVersion is gone)
  std::string error_message;     // kError: Status.message

  bool IsGone() const { return type == Type::kError && error_code == 410; }
};

// A watch line is at most this long (an object is limited to ~1.5 MiB by etcd;
// JSON escaping can double it).
constexpr size_t kMaxWatchLineBytes = 8 << 20;

// Decodes {"type": "...", "object": {...}}. ADDED/MODIFIED/DELETED/BOOKMARK need
// an object with metadata.resourceVersion; ERROR needs a Status with a code.
Result<WatchEvent> DecodeWatchEvent(const nlohmann::json& event);
// Parses one line of a watch stream, then decodes it.
Result<WatchEvent> ParseWatchEvent(std::string_view line);

const char* WatchEventTypeName(WatchEvent::Type type);

}  // namespace mm::kube
