// host-gw routing as pure functions over the Node objects.
#include "node_routes.hpp"

namespace skiff::network {

std::optional<std::uint32_t> internal_ip(const api::core::v1::Node& node) {
  for (const auto& address : node.status().addresses())
    if (address.type() == "InternalIP") return sdk::parse_ipv4(address.address());
  return std::nullopt;
}

std::optional<sdk::Ipv4Cidr> pod_cidr(const api::core::v1::Node& node, const sdk::Ipv4Cidr& cluster) {
  auto cidr = sdk::Ipv4Cidr::parse(node.spec().pod_cidr());
  if (!cidr || !cluster.contains(*cidr)) return std::nullopt;
  return cidr;
}

Routes desired_routes(const std::vector<NodePtr>& nodes, const std::string& self, const sdk::Ipv4Cidr& cluster) {
  Routes routes;
  for (const auto& node : nodes) {
    if (node->metadata().name() == self) continue;
    auto cidr = pod_cidr(*node, cluster);
    auto via = internal_ip(*node);
    if (cidr && via) routes[cidr->str()] = *via;
  }
  return routes;
}

RouteChanges route_changes(const Routes& current, const Routes& desired) {
  RouteChanges changes;
  for (const auto& [destination, via] : desired) {
    auto it = current.find(destination);
    if (it == current.end() || it->second != via) changes.replace[destination] = via;
  }
  for (const auto& [destination, via] : current)
    if (!desired.count(destination)) changes.remove.push_back(destination);
  return changes;
}

}  // namespace skiff::network
