#include "common/kube/watch_event.h"

namespace mm::kube {

const char* WatchEventTypeName(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::kAdded:
      return "ADDED";
    case WatchEvent::Type::kModified:
      return "MODIFIED";
    case WatchEvent::Type::kDeleted:
      return "DELETED";
    case WatchEvent::Type::kBookmark:
      return "BOOKMARK";
    case WatchEvent::Type::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

Result<WatchEvent> DecodeWatchEvent(const nlohmann::json& event) {
  if (!event.is_object()) return Error{"watch event: must be a JSON object {type, object}"};
  const auto type = event.find("type");
  if (type == event.end() || !type->is_string()) {
    return Error{
        "watch event: \"type\" must be a string (ADDED, MODIFIED, DELETED, BOOKMARK, "
        "ERROR)"};
  }
  WatchEvent out;
  const auto& t = type->get_ref<const std::string&>();
  if (t == "ADDED") {
    out.type = WatchEvent::Type::kAdded;
  } else if (t == "MODIFIED") {
    out.type = WatchEvent::Type::kModified;
  } else if (t == "DELETED") {
    out.type = WatchEvent::Type::kDeleted;
  } else if (t == "BOOKMARK") {
    out.type = WatchEvent::Type::kBookmark;
  } else if (t == "ERROR") {
    out.type = WatchEvent::Type::kError;
  } else {
    return Error{"watch event: type \"" + t.substr(0, 64) +
                 "\" is not one of ADDED, MODIFIED, DELETED, BOOKMARK, ERROR"};
  }
  const auto object = event.find("object");
  if (object == event.end() || !object->is_object()) {
    return Error{"watch event " + t + ": \"object\" must be a JSON object"};
  }
  if (out.type == WatchEvent::Type::kError) {
    const auto code = object->find("code");
    if (code == object->end() || !code->is_number_integer()) {
      return Error{"watch event ERROR: object must be a Status with an integer \"code\""};
    }
    const auto c = code->get<int64_t>();
    if (c < 100 || c > 599) {
      return Error{"watch event ERROR: code " + std::to_string(c) + " is not an HTTP status"};
    }
    out.error_code = static_cast<int>(c);
    if (const auto m = object->find("message"); m != object->end() && m->is_string()) {
      out.error_message = m->get<std::string>();
    }
    out.object = *object;
    return out;
  }
  const auto metadata = object->find("metadata");
  if (metadata == object->end() || !metadata->is_object()) {
    return Error{"watch event " + t + ": object.metadata must be an object"};
  }
  const auto rv = metadata->find("resourceVersion");
  if (rv == metadata->end() || !rv->is_string() || rv->get_ref<const std::string&>().empty()) {
    return Error{"watch event " + t +
                 ": object.metadata.resourceVersion must be a non-empty string"};
  }
  out.resource_version = rv->get<std::string>();
  if (out.type != WatchEvent::Type::kBookmark) {
    const auto name = metadata->find("name");
    if (name == metadata->end() || !name->is_string() ||
        name->get_ref<const std::string&>().empty()) {
      return Error{"watch event " + t + ": object.metadata.name must be a non-empty string"};
    }
  }
  out.object = *object;
  return out;
}

Result<WatchEvent> ParseWatchEvent(std::string_view line) {
  if (line.size() > kMaxWatchLineBytes) {
    return Error{"watch event: line of " + std::to_string(line.size()) + " bytes exceeds " +
                 std::to_string(kMaxWatchLineBytes)};
  }
  auto parsed =
      nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Error{"watch event: not valid JSON"};
  return DecodeWatchEvent(parsed);
}

}  // namespace mm::kube
