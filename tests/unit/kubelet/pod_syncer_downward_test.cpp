// The downward API through the pod syncer (against runtime-sim): a container's status.podIP is
// its sandbox's address from its first start, and a downwardAPI volume follows the pod's labels
// when they change in the API.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kubelet_harness.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool running(const core::Pod& pod) { return pod.status().phase() == "Running"; }

class KubeletSyncerDownward : public KubeletSuite {};

TEST_F(KubeletSyncerDownward, ContainersSeeTheSandboxIpAndVolumesFollowTheLabels) {
  core::Pod pod = pod_named("downward");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
  auto& c = *pod.mutable_spec()->mutable_containers(0);
  // runtime-sim makes a file of each path in SIM_FILES: the pod IP the container was given
  // becomes a file `test -e` finds.
  auto* ip = c.add_env();
  ip->set_name("SIM_FILES");
  ip->mutable_value_from()->mutable_field_ref()->set_field_path("status.podIP");
  auto* volume = pod.mutable_spec()->add_volumes();
  volume->set_name("podinfo");
  auto* labels = volume->mutable_downward_api()->add_items();
  labels->set_path("labels");
  labels->mutable_field_ref()->set_field_path("metadata.labels");
  auto* mount = c.add_volume_mounts();
  mount->set_name("podinfo");
  mount->set_mount_path("/etc/podinfo");
  pod = kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("downward", running));

  pod = kubelet_.get("downward");
  ASSERT_FALSE(pod.status().pod_ip().empty());
  EXPECT_EQ(kubelet_.exec(pod, "main", {"test", "-e", pod.status().pod_ip()}), 0)
      << "the first attempt's env held the sandbox's IP, " << pod.status().pod_ip();
  std::string file = kubelet_.pods_dir() + "/" + pod.metadata().uid() + "/volumes/podinfo/labels";
  EXPECT_EQ(read(file), "app=\"web\"");

  (*pod.mutable_metadata()->mutable_labels())["tier"] = "front";
  cluster_->api().update(pod);
  kubelet_.sync("downward");
  EXPECT_EQ(read(file), "app=\"web\"\ntier=\"front\"") << "a label change reaches the file";
  EXPECT_EQ(kubelet_.attempts(pod, "main").size(), 1u) << "without restarting the container";
}

}  // namespace
