// Reflection access to an object's metadata, and the managedFields transform informers use.
#include <gtest/gtest.h>

#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::sdk {
namespace {

template <class T>
T with_managed_fields() {
  T object;
  object.mutable_metadata()->set_name("web");
  object.mutable_metadata()->mutable_labels()->insert({"app", "web"});
  auto* entry = object.mutable_metadata()->add_managed_fields();
  entry->set_manager("kube-controller-manager");
  entry->set_operation("Update");
  return object;
}

TEST(StripManagedFields, ClearsThemAndKeepsTheRestOfTheMetadata) {
  auto pod = with_managed_fields<api::core::v1::Pod>();
  pod.mutable_spec()->set_node_name("node-1");
  strip_managed_fields(pod);
  EXPECT_EQ(pod.metadata().managed_fields_size(), 0);
  EXPECT_EQ(pod.metadata().name(), "web");
  EXPECT_EQ(pod.metadata().labels().at("app"), "web");
  EXPECT_EQ(pod.spec().node_name(), "node-1");
}

TEST(StripManagedFields, WorksOnAnyApiObject) {
  auto deployment = with_managed_fields<api::apps::v1::Deployment>();
  strip_managed_fields(deployment);
  EXPECT_EQ(deployment.metadata().managed_fields_size(), 0);
  EXPECT_EQ(meta_of(deployment).name(), "web");
}

}  // namespace
}  // namespace skiff::sdk
