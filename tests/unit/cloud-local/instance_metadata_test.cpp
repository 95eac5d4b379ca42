// A node's instance metadata from its own status and the configured zone; how long a silent
// node's machine still counts as there.
#include <gtest/gtest.h>

#include "local_instances.hpp"
#include "skiff/api/core/v1/node.pb.h"

namespace skiff::cloud_local {
namespace {

TEST(InstanceMetadata, ProviderIdNamesTheNodeAndAddressesComeFromItsStatus) {
  api::core::v1::Node node;
  node.mutable_metadata()->set_name("worker-1");
  auto* ip = node.mutable_status()->add_addresses();
  ip->set_type("InternalIP");
  ip->set_address("10.213.11.11");
  auto metadata = instance_metadata(node, {"rack-a", "home", "small"});
  EXPECT_EQ(metadata.provider_id(), "local://worker-1");
  EXPECT_EQ(metadata.zone(), "rack-a");
  EXPECT_EQ(metadata.region(), "home");
  EXPECT_EQ(metadata.instance_type(), "small");
  ASSERT_EQ(metadata.node_addresses_size(), 2);
  EXPECT_EQ(metadata.node_addresses(0).address(), "10.213.11.11");
  EXPECT_EQ(metadata.node_addresses(1).type(), "Hostname") << "a hostname is added when the node has none";
  EXPECT_EQ(metadata.node_addresses(1).address(), "worker-1");
}

TEST(InstanceMetadata, TheZoneDefaultsToLocal) {
  EXPECT_EQ(instance_metadata(api::core::v1::Node(), {}).zone(), "local");
}

api::core::v1::Node with_ready(const std::string& status, const std::string& since) {
  api::core::v1::Node node;
  auto* ready = node.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status(status);
  ready->set_last_transition_time(since);
  return node;
}

TEST(SilentNode, CountsAsThereUntilNotReadyForTheGraceThenGone) {
  using namespace std::chrono_literals;
  auto since = *sdk::parse_rfc3339("2026-11-30T10:00:00Z");
  auto node = with_ready("Unknown", "2026-11-30T10:00:00Z");
  EXPECT_TRUE(silent_for_less_than(node, 5min, since + 4min)) << "an agent restarting keeps its Node";
  EXPECT_FALSE(silent_for_less_than(node, 5min, since + 5min));
  EXPECT_TRUE(silent_for_less_than(with_ready("True", "2026-11-30T10:00:00Z"), 5min, since + 1h))
      << "a Ready node's heartbeats are fresh: one missed probe is not a gone machine";
  EXPECT_FALSE(silent_for_less_than(with_ready("False", ""), 5min, since)) << "no transition time: cannot wait on it";
  EXPECT_FALSE(silent_for_less_than(api::core::v1::Node(), 5min, since)) << "never reported at all";
}

}  // namespace
}  // namespace skiff::cloud_local
