// LocalRoutes: the node behind a gateway is found again from the Nodes' InternalIPs.
#include "local_routes.hpp"

#include <map>
#include <set>

#include "netns_route_table.hpp"

#include "skiff/api/core/v1/node.pb.h"

namespace skiff::cloud_local {

namespace core = api::core::v1;
namespace cp = cloudprovider::v1;

namespace {

std::optional<std::uint32_t> internal_ip(const core::Node& node) {
  for (const auto& address : node.status().addresses())
    if (address.type() == "InternalIP") return sdk::parse_ipv4(address.address());
  return std::nullopt;
}

// The provider's own node's pod subnets, reached through its bridge (no route of ours).
void add_own_subnets(std::vector<cp::Route>& routes, const core::Node& node) {
  std::set<std::string> cidrs(node.spec().pod_cidrs().begin(), node.spec().pod_cidrs().end());
  if (!node.spec().pod_cidr().empty()) cidrs.insert(node.spec().pod_cidr());
  for (const auto& cidr : cidrs) {
    cp::Route route;
    route.set_destination_cidr(cidr);
    route.set_target_node(node.metadata().name());
    route.set_name(node.metadata().name() + "-" + cidr);
    routes.push_back(route);
  }
}

sdk::Ipv4Cidr destination_of(const cp::Route& route) {
  auto parsed = sdk::parse_ipv4_cidr(route.destination_cidr(), sdk::HostBits::Mask);
  if (auto* error = std::get_if<sdk::CidrError>(&parsed))
    throw sdk::Error(sdk::Status::Invalid("route destination " + route.destination_cidr() + ": " + error->message));
  return std::get<sdk::Ipv4Cidr>(parsed);
}

}  // namespace

LocalRoutes::LocalRoutes(const sdk::ApiClient& api, std::string self, const std::string& netns)
    : api_(api), self_(std::move(self)), table_(open_route_table(kCloudRouteProtocol, netns)) {}

std::vector<cp::Route> LocalRoutes::list() {
  std::map<std::uint32_t, std::string> node_of;
  std::vector<cp::Route> routes;
  for (const auto& node : api_.list<core::Node>()) {
    if (auto ip = internal_ip(node)) node_of[*ip] = node.metadata().name();
    if (node.metadata().name() == self_) add_own_subnets(routes, node);
  }
  std::lock_guard lock(mutex_);
  for (const auto& [destination, gateway] : table_->ours()) {
    cp::Route route;
    route.set_destination_cidr(destination);
    auto node = node_of.find(gateway);
    route.set_blackhole(node == node_of.end());
    route.set_target_node(node == node_of.end() ? "" : node->second);
    route.set_name(route.target_node() + "-" + destination);
    routes.push_back(route);
  }
  return routes;
}

void LocalRoutes::create(const cp::Route& route) {
  if (route.target_node() == self_) return;  // on its bridge already
  auto node = api_.get<core::Node>("", route.target_node());
  auto gateway = internal_ip(node);
  if (!gateway)
    throw sdk::Error(sdk::Status::NotFound("node " + route.target_node() + " has no InternalIP to route " +
                                           route.destination_cidr() + " through"));
  std::lock_guard lock(mutex_);
  table_->replace(destination_of(route), *gateway);
}

void LocalRoutes::remove(const cp::Route& route) {
  if (route.target_node() == self_) return;
  std::lock_guard lock(mutex_);
  table_->remove(destination_of(route));
}

}  // namespace skiff::cloud_local
