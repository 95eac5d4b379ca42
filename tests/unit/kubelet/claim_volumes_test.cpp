// persistentVolumeClaim volumes in the kubelet against a real apiserver: the claim's volume
// directory is what containers mount (with subPath and readOnly), and a claim that is missing,
// unbound or pinned to another node stops the pod with FailedMount naming the claim.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "claim_volumes.hpp"
#include "container_spec.hpp"
#include "kubelet_harness.hpp"
#include "skiff/api/core/v1/persistent_volume.pb.h"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

class KubeletClaimVolumes : public SimClusterSuite {
 protected:
  // A hostPath volume at a fresh directory bound to claim `name` (status written as the controller would).
  void bound_claim(const std::string& name, const std::string& pinned_node = "") {
    core::PersistentVolume pv;
    pv.mutable_metadata()->set_name("pv-" + name);
    (*pv.mutable_spec()->mutable_capacity())["storage"] = "1Gi";
    pv.mutable_spec()->add_access_modes("ReadWriteOnce");
    if (pinned_node.empty()) {
      pv.mutable_spec()->mutable_host_path()->set_path(dir_.path() + "/" + name);
    } else {
      pv.mutable_spec()->mutable_local()->set_path(dir_.path() + "/" + name);
      auto* r = pv.mutable_spec()->mutable_node_affinity()->mutable_required()->add_node_selector_terms()->add_match_expressions();
      r->set_key("kubernetes.io/hostname");
      r->set_operator_("In");
      r->add_values(pinned_node);
    }
    std::filesystem::create_directories(dir_.path() + "/" + name);
    cluster_->api().create(pv);
    core::PersistentVolumeClaim pvc = claim(name);
    pvc.mutable_spec()->set_volume_name("pv-" + name);
    pvc = cluster_->api().create(pvc);
    pvc.mutable_status()->set_phase("Bound");
    cluster_->api().update(pvc, "status");
  }
  static core::PersistentVolumeClaim claim(const std::string& name) {
    core::PersistentVolumeClaim pvc;
    pvc.mutable_metadata()->set_name(name);
    pvc.mutable_metadata()->set_namespace_("default");
    pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
    pvc.mutable_spec()->set_storage_class_name("");
    (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
    return pvc;
  }
  core::Pod pod_using(const std::string& claim_name, const std::string& sub_path = "", bool read_only = false) {
    core::Pod pod = pod_named("user-" + claim_name);
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_metadata()->set_uid("uid-" + claim_name);
    pod.mutable_spec()->set_node_name(kNode);
    auto* v = pod.mutable_spec()->add_volumes();
    v->set_name("data");
    v->mutable_persistent_volume_claim()->set_claim_name(claim_name);
    v->mutable_persistent_volume_claim()->set_read_only(read_only);
    auto* m = pod.mutable_spec()->mutable_containers(0)->add_volume_mounts();
    m->set_name("data");
    m->set_mount_path("/data");
    m->set_sub_path(sub_path);
    return pod;
  }
  // The FailedMount message preparing the pod's volumes gives, "" when it succeeds.
  std::string mount_failure(const core::Pod& pod) {
    try {
      kubelet::prepare_volumes(pod, dir_.path() + "/pod", cluster_->api(), {});
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().reason, "FailedMount");
      return e.status().message;
    }
    return "";
  }

  TempDir dir_;
  const kubelet::DownwardContext node_{{kHostIp}, {}, {}};
};

TEST_F(KubeletClaimVolumes, ABoundClaimMountsItsVolumesDirectory) {
  bound_claim("data");
  auto pod = pod_using("data");
  EXPECT_EQ(mount_failure(pod), "");
  auto config = kubelet::container_config(pod, pod.spec().containers(0), 0, dir_.path() + "/pod", node_, cluster_->api());
  ASSERT_EQ(config.mounts_size(), 1);
  EXPECT_EQ(config.mounts(0).host_path(), dir_.path() + "/data");
  EXPECT_EQ(config.mounts(0).container_path(), "/data");
  EXPECT_FALSE(config.mounts(0).read_only());
}

TEST_F(KubeletClaimVolumes, SubPathIsMadeInsideTheVolumeAndReadOnlyCarriesOver) {
  bound_claim("sub");
  auto pod = pod_using("sub", "db/files", true);
  auto config = kubelet::container_config(pod, pod.spec().containers(0), 0, dir_.path() + "/pod", node_, cluster_->api());
  ASSERT_EQ(config.mounts_size(), 1);
  EXPECT_EQ(config.mounts(0).host_path(), dir_.path() + "/sub/db/files");
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/sub/db/files"));
  EXPECT_TRUE(config.mounts(0).read_only());
  auto escaping = pod_using("sub", "../../etc");
  EXPECT_THROW(kubelet::container_config(escaping, escaping.spec().containers(0), 0, dir_.path(), node_, cluster_->api()),
               sdk::Error);
}

TEST_F(KubeletClaimVolumes, MissingOrUnboundClaimsAreNamed) {
  EXPECT_EQ(mount_failure(pod_using("nowhere")), "persistentvolumeclaim \"nowhere\" not found");
  cluster_->api().create(claim("waiting"));
  EXPECT_EQ(mount_failure(pod_using("waiting")), "persistentvolumeclaim \"waiting\" is not bound (phase Pending)");
}

TEST_F(KubeletClaimVolumes, AVolumePinnedToAnotherNodeNeverStartsHere) {
  bound_claim("elsewhere", "some-other-node");
  EXPECT_EQ(mount_failure(pod_using("elsewhere")),
            "persistentvolume \"pv-elsewhere\" of claim \"elsewhere\" has a node affinity that excludes node \"" +
                std::string(kNode) + "\"; the pod cannot start here");
  bound_claim("here", kNode);
  EXPECT_EQ(mount_failure(pod_using("here")), "");
}

TEST_F(KubeletClaimVolumes, FsGroupOwnsTheWritableVolume) {
  bound_claim("shared");
  std::filesystem::create_directories(dir_.path() + "/shared/old");
  auto pod = pod_using("shared");
  pod.mutable_spec()->mutable_security_context()->set_fs_group(2345);
  EXPECT_EQ(mount_failure(pod), "");
  for (const std::string& path : {dir_.path() + "/shared", dir_.path() + "/shared/old"}) {
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_gid, 2345u) << path;
    EXPECT_TRUE(st.st_mode & S_ISGID) << path << ": new files keep the group";
    EXPECT_TRUE(st.st_mode & S_IWGRP) << path;
  }
}

}  // namespace
