// ControllerRevision data, hashes, names and pruning.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controller_history.hpp"
#include "skiff/api/apps/v1/workloads.pb.h"

namespace {

using namespace skiff;
using namespace skiff::controllers;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

core::PodTemplateSpec tmpl(const std::string& image) {
  core::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = "web";
  auto* c = t.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image(image);
  return t;
}

api::meta::v1::ObjectMeta owner() {
  api::meta::v1::ObjectMeta m;
  m.set_name("web");
  m.set_namespace_("default");
  m.set_uid("uid-1");
  return m;
}

TEST(ControllerRevisionHistory, DataIsTheReplacePatchKubectlSendsBack) {
  auto data = boost::json::parse(template_patch(tmpl("nginx:1")));
  const auto& t = data.at("spec").at("template").as_object();
  EXPECT_EQ(t.at("$patch"), "replace");
  EXPECT_EQ(t.at("spec").at("containers").at(0).at("image"), "nginx:1");
}

TEST(ControllerRevisionHistory, RevisionRoundTripsItsTemplate) {
  auto revision = make_revision(owner(), *sdk::find_resource_by_kind("apps", "DaemonSet"), tmpl("nginx:2"), 3, 0);
  EXPECT_EQ(revision.revision(), 3);
  EXPECT_EQ(template_of(revision).spec().containers(0).image(), "nginx:2");
  const std::string& hash = revision.metadata().labels().at(kRevisionHashLabel);
  EXPECT_EQ(revision.metadata().name(), "web-" + hash);
  EXPECT_EQ(revision.metadata().labels().at("app"), "web");  // kubectl finds it by the owner's selector
  EXPECT_EQ(revision.metadata().owner_references(0).kind(), "DaemonSet");
  EXPECT_TRUE(revision.metadata().owner_references(0).controller());
}

TEST(ControllerRevisionHistory, HashFollowsTheTemplateAndTheCollisionCount) {
  std::string a = template_patch(tmpl("nginx:1")), b = template_patch(tmpl("nginx:2"));
  EXPECT_EQ(revision_hash(a, 0), revision_hash(a, 0));
  EXPECT_NE(revision_hash(a, 0), revision_hash(b, 0));
  EXPECT_NE(revision_hash(a, 0), revision_hash(a, 1));
  for (char c : revision_hash(a, 0)) EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
}

TEST(ControllerRevisionHistory, SameDataComparesDocumentsNotBytes) {
  apps::ControllerRevision a, b;
  a.mutable_data()->set_raw(R"({"spec":{"template":{"a":1,"b":2}}})");
  b.mutable_data()->set_raw(R"({"spec": {"template": {"a": 1, "b": 2}}})");
  EXPECT_TRUE(same_data(a, b));
  b.mutable_data()->set_raw(R"({"spec":{"template":{"a":1}}})");
  EXPECT_FALSE(same_data(a, b));
}

TEST(ControllerRevisionHistory, PrunesOldestUnusedBeyondTheLimit) {
  std::vector<apps::ControllerRevision> history(5);
  for (int i = 0; i < 5; ++i) {
    history[i].mutable_metadata()->set_name("r" + std::to_string(i + 1));
    history[i].set_revision(i + 1);
  }
  std::swap(history[0], history[3]);  // order in the cache means nothing
  auto pruned = revisions_to_prune(history, 2, {"r1", "r5"});
  EXPECT_EQ(pruned, (std::vector<std::string>{"r2"}));  // r3, r4 kept as the 2 unused; r1, r5 in use
  EXPECT_TRUE(revisions_to_prune(history, 10, {}).empty());
}

}  // namespace
