// A node's instance metadata from its own status and the configured zone.
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

}  // namespace
}  // namespace skiff::cloud_local
