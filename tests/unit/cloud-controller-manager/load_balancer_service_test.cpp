// The service controller's decisions: who wants a load balancer, the finalizer, the nodes.
#include <gtest/gtest.h>

#include "load_balancer_service.hpp"

namespace skiff::cloud_controllers {
namespace {

namespace core = api::core::v1;

core::Node node(const std::string& name, const std::string& ready) {
  core::Node n;
  n.mutable_metadata()->set_name(name);
  auto* condition = n.mutable_status()->add_conditions();
  condition->set_type("Ready");
  condition->set_status(ready);
  return n;
}

TEST(LoadBalancerService, OnlyALoadBalancerNotBeingDeletedWantsOne) {
  core::Service service;
  service.mutable_spec()->set_type("LoadBalancer");
  EXPECT_TRUE(wants_load_balancer(service));
  service.mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
  EXPECT_FALSE(wants_load_balancer(service));
  service.mutable_metadata()->clear_deletion_timestamp();
  service.mutable_spec()->set_type("ClusterIP");
  EXPECT_FALSE(wants_load_balancer(service));
}

TEST(LoadBalancerService, TheFinalizerIsAddedOnceAndRemovedAlone) {
  core::Service service;
  service.mutable_metadata()->add_finalizers("example.com/other");
  auto with = with_cleanup_finalizer(with_cleanup_finalizer(service, true), true);
  EXPECT_TRUE(has_cleanup_finalizer(with));
  EXPECT_EQ(with.metadata().finalizers_size(), 2);
  auto without = with_cleanup_finalizer(with, false);
  EXPECT_FALSE(has_cleanup_finalizer(without));
  ASSERT_EQ(without.metadata().finalizers_size(), 1);
  EXPECT_EQ(without.metadata().finalizers(0), "example.com/other");
}

TEST(LoadBalancerService, ReadyNodesNotExcludedCarryTheTrafficInNameOrder) {
  auto excluded = node("c", "True");
  (*excluded.mutable_metadata()->mutable_labels())[kExcludeFromLoadBalancersLabel] = "";
  auto nodes = load_balancer_nodes({node("b", "True"), node("d", "Unknown"), excluded, node("a", "True")});
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].metadata().name(), "a");
  EXPECT_EQ(nodes[1].metadata().name(), "b");
}

}  // namespace
}  // namespace skiff::cloud_controllers
