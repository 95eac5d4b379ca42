// Pure decisions of the service controller.
#include "load_balancer_service.hpp"

#include <algorithm>

#include "node_initialization.hpp"

namespace skiff::cloud_controllers {

namespace core = api::core::v1;

bool wants_load_balancer(const core::Service& service) {
  return service.spec().type() == "LoadBalancer" && service.metadata().deletion_timestamp().empty();
}

bool has_cleanup_finalizer(const core::Service& service) {
  const auto& finalizers = service.metadata().finalizers();
  return std::find(finalizers.begin(), finalizers.end(), kLoadBalancerCleanupFinalizer) != finalizers.end();
}

core::Service with_cleanup_finalizer(core::Service service, bool present) {
  auto* finalizers = service.mutable_metadata()->mutable_finalizers();
  finalizers->erase(std::remove(finalizers->begin(), finalizers->end(), kLoadBalancerCleanupFinalizer), finalizers->end());
  if (present) finalizers->Add(kLoadBalancerCleanupFinalizer);
  return service;
}

std::vector<core::Node> load_balancer_nodes(const std::vector<core::Node>& nodes) {
  std::vector<core::Node> out;
  for (const auto& node : nodes)
    if (is_ready(node) && !node.metadata().labels().count(kExcludeFromLoadBalancersLabel)) out.push_back(node);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.metadata().name() < b.metadata().name(); });
  return out;
}

bool same_status(const core::LoadBalancerStatus& a, const core::LoadBalancerStatus& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace skiff::cloud_controllers
