// What the controller-manager keeps of a cached pod.
#include <gtest/gtest.h>

#include "pod_transform.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {
namespace {

namespace core = api::core::v1;

core::Pod full_pod() {
  core::Pod pod;
  pod.mutable_metadata()->set_name("web-1");
  pod.mutable_metadata()->add_managed_fields()->set_manager("kubelet");
  pod.mutable_metadata()->add_owner_references()->set_uid("rs-uid");
  auto* spec = pod.mutable_spec();
  spec->set_node_name("node-1");
  auto* c = spec->add_containers();
  c->set_name("app");
  c->set_image("registry.local/app:1");
  c->add_command("serve");
  c->add_env()->set_name("MODE");
  c->add_volume_mounts()->set_name("kube-api-access");
  c->add_ports()->set_container_port(8080);
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  c->mutable_readiness_probe()->set_period_seconds(5);
  auto* token = spec->add_volumes();
  token->set_name("kube-api-access");
  token->mutable_projected()->add_sources();
  auto* data = spec->add_volumes();
  data->set_name("data");
  data->mutable_persistent_volume_claim()->set_claim_name("data-web-1");
  spec->add_tolerations()->set_key("node.kubernetes.io/not-ready");
  pod.mutable_status()->set_phase("Running");
  return pod;
}

TEST(TrimPodForControllers, DropsWhatNoControllerReads) {
  core::Pod pod = full_pod();
  trim_pod_for_controllers(pod);
  const auto& c = pod.spec().containers(0);
  EXPECT_EQ(pod.metadata().managed_fields_size(), 0);
  EXPECT_EQ(c.command_size(), 0);
  EXPECT_EQ(c.env_size(), 0);
  EXPECT_EQ(c.volume_mounts_size(), 0);
  EXPECT_FALSE(c.has_readiness_probe());
  EXPECT_FALSE(pod.spec().volumes(0).has_projected());
}

TEST(TrimPodForControllers, KeepsWhatControllersRead) {
  core::Pod pod = full_pod();
  trim_pod_for_controllers(pod);
  const auto& c = pod.spec().containers(0);
  EXPECT_EQ(pod.metadata().owner_references(0).uid(), "rs-uid");
  EXPECT_EQ(pod.spec().node_name(), "node-1");
  EXPECT_EQ(c.image(), "registry.local/app:1");
  EXPECT_EQ(c.ports(0).container_port(), 8080);  // named target ports of Services
  EXPECT_EQ(c.resources().requests().at("cpu"), "100m");  // the HPA's utilization
  EXPECT_EQ(pod.spec().volumes(0).name(), "kube-api-access");
  EXPECT_EQ(pod.spec().volumes(1).persistent_volume_claim().claim_name(), "data-web-1");
  EXPECT_EQ(pod.spec().tolerations(0).key(), "node.kubernetes.io/not-ready");  // taint eviction
  EXPECT_EQ(pod.status().phase(), "Running");
}

}  // namespace
}  // namespace skiff::controllers
