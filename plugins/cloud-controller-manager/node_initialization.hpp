// What the cloud node controllers write on a Node, as Kubernetes' cloud-provider does: the
// instance's providerID, topology and instance-type labels once the node registers with the
// uninitialized taint (which then goes), and the shutdown taint while its machine is off.
#pragma once

#include <optional>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/cloudprovider/v1/cloudprovider.pb.h"

namespace skiff::cloud_controllers {

inline constexpr const char* kUninitializedTaint = "node.cloudprovider.kubernetes.io/uninitialized";
inline constexpr const char* kShutdownTaint = "node.cloudprovider.kubernetes.io/shutdown";
inline constexpr const char* kZoneLabel = "topology.kubernetes.io/zone";
inline constexpr const char* kRegionLabel = "topology.kubernetes.io/region";
inline constexpr const char* kInstanceTypeLabel = "node.kubernetes.io/instance-type";

bool has_taint(const api::core::v1::Node& node, const char* key);

// The node initialised from its instance's metadata: providerID (when it has none), the zone,
// region and instance-type labels (those the provider gave), and no uninitialized taint.
api::core::v1::Node initialized(api::core::v1::Node node, const cloudprovider::v1::InstanceMetadataResponse& metadata);

// The node with the shutdown taint (NoSchedule) added or removed as `shutdown` says; nullopt
// when it already is so.
std::optional<api::core::v1::Node> with_shutdown_taint(const api::core::v1::Node& node, bool shutdown,
                                                       const std::string& now);

// The Ready condition is True.
bool is_ready(const api::core::v1::Node& node);

}  // namespace skiff::cloud_controllers
