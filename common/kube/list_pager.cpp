#include "common/kube/list_pager.h"

namespace mm::kube {

void DropManagedFields(nlohmann::json& object) {
  if (auto m = object.find("metadata"); m != object.end() && m->is_object()) {
    m->erase("managedFields");
  }
}

ListResult ListAll(KubeClient& client, ResourcePath collection, int64_t limit,
                   void (*transform)(nlohmann::json& item)) {
  ListResult out;
  if (limit > 0) collection.query["limit"] = std::to_string(limit);
  collection.query.erase("continue");
  while (true) {
    ApiResponse page = client.Get(collection.Url());
    ++out.pages;
    if (!page.ok()) {
      out.failure = std::move(page);
      if (out.failure.status == 0 && out.failure.error.empty()) out.failure.error = "list failed";
      out.items.clear();
      return out;
    }
    if (!page.body.is_object() || !page.body.contains("items") ||
        !(page.body["items"].is_array() || page.body["items"].is_null())) {
      out.failure.status = page.status;
      out.failure.error = "list " + collection.Url() + ": the answer is not a List";
      out.items.clear();
      return out;
    }
    if (page.body["items"].is_array()) {
      for (auto& item : page.body["items"]) {
        if (transform) transform(item);
        out.items.push_back(std::move(item));
      }
    }
    const auto& meta = page.body.value("metadata", nlohmann::json::object());
    out.resource_version = meta.value("resourceVersion", "");
    const std::string next = meta.value("continue", "");
    if (next.empty()) return out;
    collection.query["continue"] = next;
  }
}

}  // namespace mm::kube
