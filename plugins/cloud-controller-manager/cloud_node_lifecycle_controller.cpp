// CloudNodeLifecycleController: each node's key comes back every monitor period while it exists.
#include "cloud_node_lifecycle_controller.hpp"

#include <spdlog/logger.h>

#include "node_initialization.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::cloud_controllers {

namespace core = api::core::v1;

void CloudNodeLifecycleController::register_handlers() {
  context_.informers.nodes().add_handlers([this](const auto& node) { enqueue(node->metadata().name()); }, nullptr,
                                          nullptr);
}

std::vector<std::string> CloudNodeLifecycleController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& node : context_.informers.nodes().list()) keys.push_back(node->metadata().name());
  return keys;
}

bool CloudNodeLifecycleController::sync(const std::string& key) {
  auto node = context_.informers.nodes().get("", key);
  if (!node) return true;  // deleted: its key is not queued again
  if (provider_.capabilities().instances() && !check(*node)) return true;
  enqueue_after(key, monitor_period_);
  return true;
}

bool CloudNodeLifecycleController::check(const core::Node& node) {
  const auto& client = provider_.client();
  if (is_ready(node)) {
    if (auto changed = with_shutdown_taint(node, false, sdk::now_rfc3339())) context_.api.update(*changed);
    return true;
  }
  if (!client.instance_exists(node)) {
    context_.log.info("node {}: its instance no longer exists at the cloud provider; deleting the Node",
                      node.metadata().name());
    events_.record(node, "Normal", "DeletingNode",
                   "Deleting node " + node.metadata().name() + " because it does not exist in the cloud provider");
    try {
      context_.api.erase<core::Node>("", node.metadata().name());
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
    return false;
  }
  if (auto changed = with_shutdown_taint(node, client.instance_shutdown(node), sdk::now_rfc3339()))
    context_.api.update(*changed);
  return true;
}

}  // namespace skiff::cloud_controllers
