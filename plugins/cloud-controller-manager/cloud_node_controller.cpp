// CloudNodeController: one update per node, carrying the metadata and the taint's removal.
#include "cloud_node_controller.hpp"

#include "node_initialization.hpp"

namespace skiff::cloud_controllers {

namespace core = api::core::v1;

void CloudNodeController::register_handlers() {
  context_.informers.nodes().add_handlers(
      [this](const auto& node) {
        if (has_taint(*node, kUninitializedTaint)) enqueue(node->metadata().name());
      },
      [this](const auto&, const auto& node) {
        if (has_taint(*node, kUninitializedTaint)) enqueue(node->metadata().name());
      },
      nullptr);
}

std::vector<std::string> CloudNodeController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& node : context_.informers.nodes().list())
    if (has_taint(*node, kUninitializedTaint)) keys.push_back(node->metadata().name());
  return keys;
}

bool CloudNodeController::sync(const std::string& key) {
  auto node = context_.informers.nodes().get("", key);
  if (!node || !has_taint(*node, kUninitializedTaint)) return true;
  cloudprovider::v1::InstanceMetadataResponse metadata;
  // A provider without instances has nothing to tell: the node is initialised as it is.
  if (provider_.capabilities().instances()) metadata = provider_.client().instance_metadata(*node);
  context_.api.update(initialized(*node, metadata));
  events_.record(*node, "Normal", "Synced",
                 "Node " + key + " initialised by the cloud provider" +
                     (metadata.provider_id().empty() ? "" : " as " + metadata.provider_id()));
  return true;
}

}  // namespace skiff::cloud_controllers
