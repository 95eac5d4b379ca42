// RouteController: one key, reconciled whole, queued again every period.
#include "route_controller.hpp"

#include <spdlog/logger.h>

#include "route_plan.hpp"

namespace skiff::cloud_controllers {

void RouteController::register_handlers() {
  context_.informers.nodes().add_handlers(
      [this](const auto&) { enqueue(kKey); },
      [this](const auto& before, const auto& after) {
        if (before->spec().pod_cidr() != after->spec().pod_cidr()) enqueue(kKey);
      },
      [this](const auto&) { enqueue(kKey); });
}

bool RouteController::sync(const std::string&) {
  if (!provider_.capabilities().routes()) return true;  // the network plugin owns routes: nothing to do, ever
  std::vector<api::core::v1::Node> nodes;
  for (const auto& node : context_.informers.nodes().list()) nodes.push_back(*node);
  const auto& client = provider_.client();
  RoutePlan plan = plan_routes(nodes, client.list_routes());
  for (const auto& route : plan.remove) {
    context_.log.info("route-controller: deleting route {} to {}", route.destination_cidr(), route.target_node());
    client.delete_route(route);
  }
  for (const auto& route : plan.create) {
    context_.log.info("route-controller: creating route {} to {}", route.destination_cidr(), route.target_node());
    client.create_route(route.target_node(), route);
  }
  enqueue_after(kKey, period_);
  return true;
}

}  // namespace skiff::cloud_controllers
