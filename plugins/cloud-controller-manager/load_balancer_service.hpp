// The service controller's decisions about one Service, as Kubernetes' makes them: whether it
// wants a load balancer, the cleanup finalizer that keeps it until its load balancer is gone,
// and which nodes may carry load balancer traffic.
#pragma once

#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/service.pb.h"

namespace skiff::cloud_controllers {

inline constexpr const char* kLoadBalancerCleanupFinalizer = "service.kubernetes.io/load-balancer-cleanup";
// A node with this label is never given load balancer traffic.
inline constexpr const char* kExcludeFromLoadBalancersLabel = "node.kubernetes.io/exclude-from-external-load-balancers";

// type LoadBalancer and not being deleted.
bool wants_load_balancer(const api::core::v1::Service& service);
bool has_cleanup_finalizer(const api::core::v1::Service& service);
api::core::v1::Service with_cleanup_finalizer(api::core::v1::Service service, bool present);
// Ready nodes not excluded by label, ordered by name.
std::vector<api::core::v1::Node> load_balancer_nodes(const std::vector<api::core::v1::Node>& nodes);
bool same_status(const api::core::v1::LoadBalancerStatus& a, const api::core::v1::LoadBalancerStatus& b);

}  // namespace skiff::cloud_controllers
