// The node IPAM settings checked as a whole before anything starts: a cluster CIDR that is an
// IPv4 CIDR, a node mask that cuts it into 2..65536 subnets, no overlap with the service CIDR.
#pragma once

#include <string>

#include "ipv4_cidr.hpp"

namespace skiff::controllers {

struct NodeIpamConfig {
  std::string cluster_cidr;
  int node_cidr_mask_size = 24;
  std::string service_cidr;
};

struct NodeIpamRange {
  Ipv4Cidr cluster;
  int node_prefix = 24;
};

// The range the config describes; throws std::invalid_argument with one message naming the
// config key at fault and how to fix it.
NodeIpamRange checked_node_ipam_range(const NodeIpamConfig& config);

}  // namespace skiff::controllers
