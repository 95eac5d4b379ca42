// Deployment arithmetic: surge and unavailability as Kubernetes rounds them, the new
// ReplicaSet's room to grow, template hashes and equality, revisions.
#include <gtest/gtest.h>

#include "deployment_util.hpp"

namespace {

using namespace skiff;
namespace apps = api::apps::v1;
using controllers::surge_and_unavailable;

void set(api::meta::v1::IntOrString* field, const std::string& value) {
  if (!value.empty() && value.back() == '%') {
    field->set_type(1);
    field->set_str_val(value);
  } else {
    field->set_type(0);
    field->set_int_val(std::stoi(value));
  }
}

apps::Deployment deployment(int replicas, const std::string& surge, const std::string& unavailable) {
  apps::Deployment d;
  d.mutable_spec()->set_replicas(replicas);
  d.mutable_spec()->mutable_strategy()->set_type("RollingUpdate");
  auto* rolling = d.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  if (!surge.empty()) set(rolling->mutable_max_surge(), surge);
  if (!unavailable.empty()) set(rolling->mutable_max_unavailable(), unavailable);
  return d;
}

TEST(SurgeAndUnavailable, PercentagesRoundSurgeUpAndUnavailableDown) {
  EXPECT_EQ(surge_and_unavailable(deployment(10, "25%", "25%")), std::make_pair(3, 2));
  EXPECT_EQ(surge_and_unavailable(deployment(4, "25%", "25%")), std::make_pair(1, 1));
  EXPECT_EQ(surge_and_unavailable(deployment(3, "50%", "50%")), std::make_pair(2, 1));
  EXPECT_EQ(surge_and_unavailable(deployment(7, "2", "1")), std::make_pair(2, 1));
}

TEST(SurgeAndUnavailable, UnsetMeansTheDefaultsQuarter) {
  EXPECT_EQ(surge_and_unavailable(deployment(10, "", "")), std::make_pair(3, 2));
}

TEST(SurgeAndUnavailable, BothZeroAfterRoundingAllowsOneUnavailable) {
  // 25% of 1 is 0.25: surge 1 (up), unavailable 0 (down) — fine.
  EXPECT_EQ(surge_and_unavailable(deployment(1, "25%", "25%")), std::make_pair(1, 0));
  // maxSurge 0 and 10% of 5 rounding to 0 would freeze the rollout: Kubernetes allows 1.
  EXPECT_EQ(surge_and_unavailable(deployment(5, "0", "10%")), std::make_pair(0, 1));
}

TEST(SurgeAndUnavailable, UnavailableNeverExceedsReplicas) {
  EXPECT_EQ(surge_and_unavailable(deployment(2, "0", "5")).second, 2);
  EXPECT_EQ(surge_and_unavailable(deployment(0, "0", "0")).second, 0) << "nothing to take away from zero replicas";
}

apps::ReplicaSet replica_set(int replicas) {
  apps::ReplicaSet rs;
  rs.mutable_spec()->set_replicas(replicas);
  return rs;
}

TEST(NewReplicaSetReplicas, GrowsWithinSurgeAndNeverPastTheDeployment) {
  auto d = deployment(10, "3", "2");
  auto old_rs = replica_set(10), new_rs = replica_set(0);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 3);
  old_rs = replica_set(8);
  new_rs = replica_set(3);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 5);
  old_rs = replica_set(2);
  new_rs = replica_set(9);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 10) << "capped at spec.replicas";
  old_rs = replica_set(4);
  new_rs = replica_set(9);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 9) << "13 pods already: no room";
}

TEST(NewReplicaSetReplicas, CountsTheOldPodsNotYetDeleted) {
  auto d = deployment(4, "1", "1");
  auto old_rs = replica_set(3), new_rs = replica_set(1);
  old_rs.mutable_status()->set_replicas(4);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 1) << "4 old pods + 1 new: the surge is used";
  old_rs.mutable_status()->set_replicas(3);
  EXPECT_EQ(controllers::new_rs_replicas(d, {&old_rs, &new_rs}, new_rs), 2);
}

api::core::v1::PodTemplateSpec pod_template(const std::string& image) {
  api::core::v1::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = "web";
  auto* c = t.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image(image);
  return t;
}

TEST(PodTemplateHash, StableSafeAndBlindToItsOwnLabel) {
  auto t = pod_template("nginx:1");
  std::string hash = controllers::pod_template_hash(t, 0);
  EXPECT_EQ(hash, controllers::pod_template_hash(t, 0));
  EXPECT_FALSE(hash.empty());
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos)
      << hash << " uses only Kubernetes' SafeEncodeString alphabet";
  auto labelled = t;
  (*labelled.mutable_metadata()->mutable_labels())[controllers::kPodTemplateHashLabel] = hash;
  EXPECT_EQ(controllers::pod_template_hash(labelled, 0), hash);
  EXPECT_NE(controllers::pod_template_hash(pod_template("nginx:2"), 0), hash);
  EXPECT_NE(controllers::pod_template_hash(t, 1), hash) << "a collision count gives another name";
}

TEST(SameTemplate, IgnoresOnlyTheHashLabel) {
  auto a = pod_template("nginx:1"), b = pod_template("nginx:1");
  (*b.mutable_metadata()->mutable_labels())[controllers::kPodTemplateHashLabel] = "abc";
  EXPECT_TRUE(controllers::same_template(a, b));
  EXPECT_FALSE(controllers::same_template(a, pod_template("nginx:2")));
  (*b.mutable_metadata()->mutable_labels())["tier"] = "front";
  EXPECT_FALSE(controllers::same_template(a, b));
}

TEST(DeploymentFacts, RevisionReplicasAndStrategy) {
  apps::ReplicaSet rs;
  EXPECT_EQ(controllers::revision_of(rs), 0);
  (*rs.mutable_metadata()->mutable_annotations())[controllers::kRevisionAnnotation] = "12";
  EXPECT_EQ(controllers::revision_of(rs), 12);
  EXPECT_EQ(controllers::replicas_of(rs), 1) << "unset replicas mean 1";
  rs.mutable_spec()->set_replicas(0);
  EXPECT_EQ(controllers::replicas_of(rs), 0);
  apps::Deployment d;
  EXPECT_TRUE(controllers::is_rolling_update(d)) << "RollingUpdate is the default strategy";
  d.mutable_spec()->mutable_strategy()->set_type("Recreate");
  EXPECT_FALSE(controllers::is_rolling_update(d));
}

}  // namespace
