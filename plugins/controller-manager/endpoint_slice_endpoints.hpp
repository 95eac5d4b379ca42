// What a Service's EndpointSlices should hold before they are packed: per address type, its
// selected pods as endpoints (conditions, node, zone, target, hostname), grouped by the ports
// they resolve to — Kubernetes' desired endpoints by port map.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"

namespace skiff::controllers {

namespace discovery = api::discovery::v1;

// The labels that tie a slice to its Service and to this controller.
inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kSliceManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kSliceControllerName = "endpointslice-controller.k8s.io";
inline constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr const char* kZoneLabel = "topology.kubernetes.io/zone";

// Endpoints that reach the same ports, in address order.
struct EndpointGroup {
  std::vector<discovery::EndpointPort> ports;
  std::vector<discovery::Endpoint> endpoints;
};

struct DesiredEndpoints {
  // Every address type the Service has ("IPv4", "IPv6"), each with its groups (none: no endpoints).
  std::map<std::string, std::vector<EndpointGroup>> by_address_type;
  // Pods left out because their node is not known (yet): worth another sync later.
  std::vector<std::string> pods_on_unknown_nodes;
};

using PodPtr = std::shared_ptr<const api::core::v1::Pod>;
using NodePtr = std::shared_ptr<const api::core::v1::Node>;

// Kubernetes' getAddressTypesForService: from spec.ipFamilies, else the cluster IP's family,
// else (headless, not yet defaulted) both.
std::vector<std::string> address_types_of(const api::core::v1::Service& service);

// The selected pods (the caller selects them) as endpoints. Finished pods and pods without an
// IP are left out; terminating ones stay, marked terminating, until they are gone.
DesiredEndpoints desired_endpoints(const api::core::v1::Service& service, const std::vector<PodPtr>& pods,
                                   const std::vector<NodePtr>& nodes);

// Two versions of one endpoint share this key (Kubernetes hashes addresses and target).
std::string endpoint_key(const discovery::Endpoint& endpoint);
// The ports as a set: slices with the same key serve the same ports.
std::string ports_key(const google::protobuf::RepeatedPtrField<discovery::EndpointPort>& ports);
std::string ports_key(const std::vector<discovery::EndpointPort>& ports);

}  // namespace skiff::controllers
