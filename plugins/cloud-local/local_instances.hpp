// InstancesV2 for machines you run yourself: a node's instance is its own machine, named by
// the node (machine-ids repeat across network-namespace nodes of one host), alive while that
// node's skiffd answers on the bus. Metadata comes from the Node's own status and the config.
#pragma once

#include <chrono>
#include <string>

#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/bus.hpp"

namespace skiff::cloud_local {

inline constexpr const char* kProviderName = "local";

struct InstanceSettings {
  std::string zone = "local";
  std::string region = "local";
  std::string instance_type = "local";
};

// providerID "local://<node name>", the node's addresses, the configured zone, region and type.
cloudprovider::v1::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node,
                                                              const InstanceSettings& settings);

// Whether a node's machine is there: its skiffd answers `kernel.status` within `timeout`.
class KernelProbe {
 public:
  KernelProbe(sdk::Bus& bus, std::string cluster, std::chrono::milliseconds timeout)
      : bus_(bus), cluster_(std::move(cluster)), timeout_(timeout) {}
  bool answers(const std::string& node) const;

 private:
  sdk::Bus& bus_;
  std::string cluster_;
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::cloud_local
