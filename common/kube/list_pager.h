#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/kube/kube_client.h"
#include "common/kube/resource_path.h"

namespace mm::kube {

// A complete LIST, assembled from pages.
struct ListResult {
  ApiResponse failure;  // status 0 with no error when every page succeeded
  std::vector<nlohmann::json> items;
  std::string resource_version;  // of the list: where a watch continues from
  int pages = 0;

  bool ok() const { return failure.status == 0 && failure.error.empty(); }
};

// Lists `collection` (its query may carry labelSelector/fieldSelector) in pages of
// `limit` items, following metadata.continue. A continue token that expired
// (410) fails the whole list with that 410 so the caller starts over, as
// client-go's pager does when the snapshot is compacted away.
// `transform` may shrink each item before it is kept (e.g. drop managedFields).
ListResult ListAll(KubeClient& client, ResourcePath collection, int64_t limit = 500,
                   void (*transform)(nlohmann::json& item) = nullptr);

// Drops metadata.managedFields: large and never read by the operator.
void DropManagedFields(nlohmann::json& object);

}  // namespace mm::kube
