// What the route controller changes: one route per node podCIDR, to that node; routes to
// nodes that are gone, to a CIDR the node no longer has, or blackholed, deleted.
#pragma once

#include <string>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/cloudprovider/v1/cloudprovider.pb.h"

namespace skiff::cloud_controllers {

struct RoutePlan {
  std::vector<cloudprovider::v1::Route> create;
  std::vector<cloudprovider::v1::Route> remove;
};

RoutePlan plan_routes(const std::vector<api::core::v1::Node>& nodes, const std::vector<cloudprovider::v1::Route>& routes);

}  // namespace skiff::cloud_controllers
