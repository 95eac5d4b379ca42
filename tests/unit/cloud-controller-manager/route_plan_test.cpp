// The route controller's plan: one route per node podCIDR, stale and blackholed ones deleted.
#include <gtest/gtest.h>

#include "route_plan.hpp"

namespace skiff::cloud_controllers {
namespace {

namespace core = api::core::v1;
namespace cp = cloudprovider::v1;

core::Node node(const std::string& name, const std::string& cidr) {
  core::Node n;
  n.mutable_metadata()->set_name(name);
  n.mutable_spec()->set_pod_cidr(cidr);
  if (!cidr.empty()) n.mutable_spec()->add_pod_cidrs(cidr);
  return n;
}

cp::Route route(const std::string& node, const std::string& cidr, bool blackhole = false) {
  cp::Route r;
  r.set_target_node(node);
  r.set_destination_cidr(cidr);
  r.set_blackhole(blackhole);
  return r;
}

TEST(RoutePlan, MissingRoutesAreCreatedAndStaleOnesDeleted) {
  auto plan = plan_routes({node("a", "10.244.0.0/24"), node("b", "10.244.1.0/24"), node("c", "")},
                          {route("a", "10.244.0.0/24"), route("gone", "10.244.2.0/24"), route("b", "10.244.9.0/24"),
                           route("", "10.244.3.0/24", true)});
  ASSERT_EQ(plan.create.size(), 1u);
  EXPECT_EQ(plan.create[0].target_node(), "b");
  EXPECT_EQ(plan.create[0].destination_cidr(), "10.244.1.0/24");
  ASSERT_EQ(plan.remove.size(), 3u);
  EXPECT_EQ(plan.remove[0].target_node(), "gone");
  EXPECT_EQ(plan.remove[1].destination_cidr(), "10.244.9.0/24") << "a CIDR the node no longer has";
  EXPECT_TRUE(plan.remove[2].blackhole());
}

TEST(RoutePlan, NothingToDoWhenEveryNodeHasItsRoute) {
  auto plan = plan_routes({node("a", "10.244.0.0/24")}, {route("a", "10.244.0.0/24")});
  EXPECT_TRUE(plan.create.empty());
  EXPECT_TRUE(plan.remove.empty());
}

}  // namespace
}  // namespace skiff::cloud_controllers
