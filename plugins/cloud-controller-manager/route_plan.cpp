// plan_routes: desired (node, CIDR) pairs against the provider's list.
#include "route_plan.hpp"

#include <set>
#include <utility>

namespace skiff::cloud_controllers {

namespace cp = cloudprovider::v1;

RoutePlan plan_routes(const std::vector<api::core::v1::Node>& nodes, const std::vector<cp::Route>& routes) {
  std::set<std::pair<std::string, std::string>> wanted;  // (node, CIDR)
  for (const auto& node : nodes) {
    for (const auto& cidr : node.spec().pod_cidrs()) wanted.emplace(node.metadata().name(), cidr);
    if (!node.spec().pod_cidr().empty()) wanted.emplace(node.metadata().name(), node.spec().pod_cidr());
  }
  RoutePlan plan;
  std::set<std::pair<std::string, std::string>> present;
  for (const auto& route : routes) {
    std::pair<std::string, std::string> pair{route.target_node(), route.destination_cidr()};
    if (route.blackhole() || !wanted.count(pair)) plan.remove.push_back(route);
    else present.insert(pair);
  }
  for (const auto& [node, cidr] : wanted) {
    if (present.count({node, cidr})) continue;
    cp::Route route;
    route.set_name(node + "-" + cidr);
    route.set_target_node(node);
    route.set_destination_cidr(cidr);
    plan.create.push_back(route);
  }
  return plan;
}

}  // namespace skiff::cloud_controllers
