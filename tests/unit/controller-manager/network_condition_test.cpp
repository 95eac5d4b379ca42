// Node IPAM's NetworkUnavailable condition: set once, kept without writes, cleared only when ours.
#include <gtest/gtest.h>

#include "network_condition.hpp"

namespace {

using namespace skiff::controllers;
namespace core = skiff::api::core::v1;

const core::NodeCondition* network(const core::Node& node) {
  for (const auto& c : node.status().conditions())
    if (c.type() == "NetworkUnavailable") return &c;
  return nullptr;
}

TEST(NetworkCondition, SetOnceThenNothingToWrite) {
  core::Node node;
  node.mutable_status()->add_conditions()->set_type("Ready");
  ASSERT_TRUE(mark_no_cidr_available(node, "full", "t1"));
  const auto* c = network(node);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status(), "True");
  EXPECT_EQ(c->reason(), "NoCIDRAvailable");
  EXPECT_EQ(c->message(), "full");
  EXPECT_EQ(c->last_transition_time(), "t1");
  EXPECT_EQ(c->last_heartbeat_time(), "t1");
  EXPECT_FALSE(mark_no_cidr_available(node, "full", "t2"));
  EXPECT_EQ(network(node)->last_heartbeat_time(), "t1");
  EXPECT_TRUE(mark_no_cidr_available(node, "still full", "t3"));
  EXPECT_EQ(network(node)->last_transition_time(), "t1") << "it was True already";
  EXPECT_EQ(node.status().conditions_size(), 2);
}

TEST(NetworkCondition, TakesOverAFalseConditionAsATransition) {
  core::Node node;
  auto* c = node.mutable_status()->add_conditions();
  c->set_type("NetworkUnavailable");
  c->set_status("False");
  c->set_reason("RouteCreated");
  c->set_last_transition_time("t0");
  ASSERT_TRUE(mark_no_cidr_available(node, "full", "t1"));
  EXPECT_EQ(network(node)->status(), "True");
  EXPECT_EQ(network(node)->last_transition_time(), "t1");
  EXPECT_EQ(node.status().conditions_size(), 1);
}

TEST(NetworkCondition, ClearsOnlyItsOwn) {
  core::Node node;
  mark_no_cidr_available(node, "full", "t1");
  EXPECT_TRUE(clear_no_cidr_available(node));
  EXPECT_FALSE(network(node));
  EXPECT_FALSE(clear_no_cidr_available(node));

  auto* theirs = node.mutable_status()->add_conditions();
  theirs->set_type("NetworkUnavailable");
  theirs->set_status("True");
  theirs->set_reason("NoRouteCreated");
  EXPECT_FALSE(clear_no_cidr_available(node)) << "the network plugin's condition stays";
  EXPECT_TRUE(network(node));
}

}  // namespace
