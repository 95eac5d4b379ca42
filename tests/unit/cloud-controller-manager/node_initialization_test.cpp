// Node initialisation and the shutdown taint as the cloud node controllers write them.
#include <gtest/gtest.h>

#include "node_initialization.hpp"

namespace skiff::cloud_controllers {
namespace {

namespace core = api::core::v1;

core::Node uninitialized_node() {
  core::Node node;
  node.mutable_metadata()->set_name("worker-1");
  for (const char* key : {"node-role.kubernetes.io/control-plane", kUninitializedTaint}) {
    auto* taint = node.mutable_spec()->add_taints();
    taint->set_key(key);
    taint->set_effect("NoSchedule");
  }
  return node;
}

TEST(NodeInitialization, MetadataBecomesProviderIdAndLabelsAndOnlyTheUninitializedTaintGoes) {
  cloudprovider::v1::InstanceMetadataResponse metadata;
  metadata.set_provider_id("local://worker-1");
  metadata.set_zone("rack-a");
  metadata.set_region("home");
  metadata.set_instance_type("small");
  core::Node node = initialized(uninitialized_node(), metadata);
  EXPECT_EQ(node.spec().provider_id(), "local://worker-1");
  EXPECT_EQ(node.metadata().labels().at(kZoneLabel), "rack-a");
  EXPECT_EQ(node.metadata().labels().at(kRegionLabel), "home");
  EXPECT_EQ(node.metadata().labels().at(kInstanceTypeLabel), "small");
  EXPECT_FALSE(has_taint(node, kUninitializedTaint));
  EXPECT_TRUE(has_taint(node, "node-role.kubernetes.io/control-plane")) << "other taints stay";
}

TEST(NodeInitialization, AProviderIdAlreadySetAndLabelsNotGivenAreKept) {
  core::Node node = uninitialized_node();
  node.mutable_spec()->set_provider_id("mine://x");
  (*node.mutable_metadata()->mutable_labels())[kZoneLabel] = "set-by-hand";
  node = initialized(node, {});
  EXPECT_EQ(node.spec().provider_id(), "mine://x");
  EXPECT_EQ(node.metadata().labels().at(kZoneLabel), "set-by-hand");
  EXPECT_FALSE(node.metadata().labels().count(kRegionLabel));
}

TEST(NodeInitialization, TheShutdownTaintComesAndGoesOnce) {
  core::Node node;
  EXPECT_FALSE(with_shutdown_taint(node, false, "now")) << "not shut down, no taint: nothing to write";
  auto tainted = with_shutdown_taint(node, true, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(tainted);
  EXPECT_TRUE(has_taint(*tainted, kShutdownTaint));
  EXPECT_EQ(tainted->spec().taints(0).effect(), "NoSchedule");
  EXPECT_FALSE(with_shutdown_taint(*tainted, true, "later"));
  auto back = with_shutdown_taint(*tainted, false, "later");
  ASSERT_TRUE(back);
  EXPECT_FALSE(has_taint(*back, kShutdownTaint));
}

}  // namespace
}  // namespace skiff::cloud_controllers
