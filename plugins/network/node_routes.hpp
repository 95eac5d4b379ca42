// Which routes a node needs (host-gw: every other node's pod subnet via that node's
// InternalIP) and what to change to get there from the routes it has.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/cidr.hpp"

namespace skiff::network {

using NodePtr = std::shared_ptr<const api::core::v1::Node>;
using Routes = std::map<std::string, std::uint32_t>;  // destination CIDR → gateway

// The node's InternalIP, nullopt when it has none (yet).
std::optional<std::uint32_t> internal_ip(const api::core::v1::Node& node);
// The node's pod subnet when it has one inside the cluster CIDR.
std::optional<sdk::Ipv4Cidr> pod_cidr(const api::core::v1::Node& node, const sdk::Ipv4Cidr& cluster);

// Routes to every node but `self` that has a pod subnet inside `cluster` and an InternalIP.
Routes desired_routes(const std::vector<NodePtr>& nodes, const std::string& self, const sdk::Ipv4Cidr& cluster);

struct RouteChanges {
  Routes replace;                   // missing, or via another gateway
  std::vector<std::string> remove;  // ours, for subnets no node has any more
};
RouteChanges route_changes(const Routes& current, const Routes& desired);

}  // namespace skiff::network
