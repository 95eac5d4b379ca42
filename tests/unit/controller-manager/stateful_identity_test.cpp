// StatefulSet pods' names, ordinals, labels, DNS identity and claims.
#include <gtest/gtest.h>

#include "stateful_identity.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

apps::StatefulSet set() {
  apps::StatefulSet s;
  s.mutable_metadata()->set_name("db");
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_metadata()->set_uid("uid-db");
  s.mutable_spec()->set_service_name("db-headless");
  (*s.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "db";
  auto* t = s.mutable_spec()->mutable_template_();
  (*t->mutable_metadata()->mutable_labels())["app"] = "db";
  t->mutable_spec()->add_containers()->set_name("db");
  auto* claim = s.mutable_spec()->add_volume_claim_templates();
  claim->mutable_metadata()->set_name("data");
  claim->mutable_spec()->add_access_modes("ReadWriteOnce");
  return s;
}

TEST(StatefulSetIdentity, OrdinalsParseOnlyFromTheSetsOwnNames) {
  EXPECT_EQ(ordinal_of("db", "db-0"), 0);
  EXPECT_EQ(ordinal_of("db", "db-12"), 12);
  EXPECT_EQ(ordinal_of("db", "db-x"), std::nullopt);
  EXPECT_EQ(ordinal_of("db", "db-01"), std::nullopt);
  EXPECT_EQ(ordinal_of("db", "dbx-1"), std::nullopt);
  EXPECT_EQ(ordinal_of("db", "db-web-1"), std::nullopt);
  EXPECT_EQ(ordinal_of("db", "db-"), std::nullopt);
}

TEST(StatefulSetIdentity, PodCarriesNameLabelsHostnameSubdomainAndClaim) {
  auto s = set();
  core::Pod pod = stateful_pod(s, s.spec().template_(), "db-abc", 2);
  EXPECT_EQ(pod.metadata().name(), "db-2");
  EXPECT_EQ(pod.metadata().labels().at("statefulset.kubernetes.io/pod-name"), "db-2");
  EXPECT_EQ(pod.metadata().labels().at("apps.kubernetes.io/pod-index"), "2");
  EXPECT_EQ(pod.metadata().labels().at("controller-revision-hash"), "db-abc");
  EXPECT_EQ(pod.spec().hostname(), "db-2");
  EXPECT_EQ(pod.spec().subdomain(), "db-headless");
  ASSERT_EQ(pod.spec().volumes_size(), 1);
  EXPECT_EQ(pod.spec().volumes(0).name(), "data");
  EXPECT_EQ(pod.spec().volumes(0).persistent_volume_claim().claim_name(), "data-db-2");
  EXPECT_TRUE(pod.metadata().owner_references(0).controller());
}

TEST(StatefulSetIdentity, ClaimIsOwnedBySetOnlyWhenDeletedWithIt) {
  auto s = set();
  auto claim = stateful_claim(s, s.spec().volume_claim_templates(0), 1);
  EXPECT_EQ(claim.metadata().name(), "data-db-1");
  EXPECT_EQ(claim.metadata().labels().at("app"), "db");
  EXPECT_EQ(claim.metadata().owner_references_size(), 0);
  s.mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_deleted("Delete");
  claim = stateful_claim(s, s.spec().volume_claim_templates(0), 1);
  ASSERT_EQ(claim.metadata().owner_references_size(), 1);
  EXPECT_EQ(claim.metadata().owner_references(0).uid(), "uid-db");
  EXPECT_FALSE(claim.metadata().owner_references(0).controller());
}

}  // namespace
