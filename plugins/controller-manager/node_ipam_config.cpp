// One message per bad node IPAM setting, naming the key and the fix.
#include "node_ipam_config.hpp"

#include <algorithm>
#include <stdexcept>

#include "cidr_range_allocator.hpp"

namespace skiff::controllers {
namespace {

Ipv4Cidr parsed(const std::string& key, const std::string& text) {
  auto result = parse_ipv4_cidr(text);
  if (const auto* error = std::get_if<CidrError>(&result))
    throw std::invalid_argument("config " + key + ": " + error->message +
                                " (node IPAM hands out IPv4 ranges only)");
  return std::get<Ipv4Cidr>(result);
}

}  // namespace

NodeIpamRange checked_node_ipam_range(const NodeIpamConfig& config) {
  Ipv4Cidr cluster = parsed("cluster_cidr", config.cluster_cidr);
  Ipv4Cidr service = parsed("service_cidr", config.service_cidr);
  int mask = config.node_cidr_mask_size;
  if (mask <= cluster.prefix)
    throw std::invalid_argument("config node_cidr_mask_size: " + std::to_string(mask) +
                                " must be larger than the prefix of cluster_cidr " + cluster.str() +
                                ", so that each node gets a part of it (e.g. " +
                                std::to_string(std::min(cluster.prefix + 8, 30)) + ")");
  if (mask - cluster.prefix > kMaxNodeSubnetBits)
    throw std::invalid_argument("config node_cidr_mask_size: /" + std::to_string(mask) + " ranges would cut cluster_cidr " +
                                cluster.str() + " into more than 65536 node ranges; use a mask size of at most " +
                                std::to_string(cluster.prefix + kMaxNodeSubnetBits) + " or a smaller cluster_cidr");
  if (cluster.overlaps(service))
    throw std::invalid_argument("config cluster_cidr: " + cluster.str() + " overlaps service_cidr " + service.str() +
                                " (the apiserver's): pod and Service addresses would clash; choose a cluster_cidr "
                                "outside it (the default is 10.244.0.0/16), or set service_cidr to the apiserver's");
  return {cluster, mask};
}

}  // namespace skiff::controllers
