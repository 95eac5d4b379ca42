// StatefulSet validation of the pod template: mounts may name the volumes the claim templates give.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "defaults.hpp"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace apps = api::apps::v1;
using Causes = std::vector<std::string>;

// A set "db" whose container mounts `mount`, with one claim template "data".
apps::StatefulSet set_mounting(const std::string& mount) {
  apps::StatefulSet sts;
  name(sts, "db");
  (*sts.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "db";
  auto* tmpl = sts.mutable_spec()->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "db";
  auto* container = tmpl->mutable_spec()->add_containers();
  container->set_name("db");
  container->set_image("busybox");
  auto* volume_mount = container->add_volume_mounts();
  volume_mount->set_name(mount);
  volume_mount->set_mount_path("/data");
  auto* claim = sts.mutable_spec()->add_volume_claim_templates();
  claim->mutable_metadata()->set_name("data");
  claim->mutable_spec()->add_access_modes("ReadWriteOnce");
  (*claim->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "100Mi";
  apiserver::apply_defaults(sts);
  return sts;
}

TEST(StatefulSetValidation, MountsMayNameAClaimTemplate) { EXPECT_EQ(causes(set_mounting("data")), Causes{}); }

TEST(StatefulSetValidation, AMountOfNoVolumeOrClaimIsStillNotFound) {
  auto all = causes(set_mounting("nope"));
  ASSERT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  EXPECT_EQ(all[0].rfind("spec.template.spec.containers[0].volumeMounts[0].name: Not found", 0), 0u) << all[0];
}

TEST(StatefulSetValidation, AClaimTemplateMayShareItsNameWithATemplateVolume) {
  // The controller gives the claim's volume in its place, and Kubernetes accepts the set.
  auto sts = set_mounting("data");
  auto* volume = sts.mutable_spec()->mutable_template_()->mutable_spec()->add_volumes();
  volume->set_name("data");
  volume->mutable_empty_dir();
  EXPECT_EQ(causes(sts), Causes{});
}

}  // namespace
