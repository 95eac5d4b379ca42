// Field sets as server-side apply keeps them: FieldsV1 in and out, set algebra, the fields of
// an object read through its descriptor, what changed between two objects, merge and removal.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "field_set.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "typed_fields.hpp"

namespace {

using namespace skiff;
using apiserver::FieldPath;
using apiserver::FieldSet;
namespace json = boost::json;

const google::protobuf::Descriptor* deployment() { return api::apps::v1::Deployment::descriptor(); }

std::string v1(const FieldSet& set) { return json::serialize(set.to_fields_v1()); }

FieldSet parsed(const char* fields) { return FieldSet::from_fields_v1(json::parse(fields)); }

constexpr const char* kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","labels":{"app":"web"}},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
      {"name":"nginx","image":"nginx:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}]}}}})";

TEST(FieldSet, RoundTripsFieldsV1WithDotForMembersThatHaveChildren) {
  const char* text = R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}})";
  FieldSet set = parsed(text);
  EXPECT_TRUE(set.contains({"f:spec", "f:replicas"}));
  EXPECT_TRUE(set.contains({"f:metadata", "f:labels"}));
  EXPECT_FALSE(set.contains({"f:spec"}));
  EXPECT_EQ(v1(set), text);
}

TEST(FieldSet, RefusesElementsThatAreNotFieldsV1) {
  EXPECT_THROW(parsed(R"({"spec":{}})"), std::invalid_argument);
  EXPECT_THROW(parsed(R"({"f:spec":1})"), std::invalid_argument);
}

TEST(FieldSet, UnionDifferenceIntersection) {
  FieldSet a, b;
  a.insert({"f:spec", "f:replicas"});
  a.insert({"f:spec", "f:paused"});
  b.insert({"f:spec", "f:replicas"});
  b.insert({"f:metadata", "f:labels", "f:x"});
  EXPECT_EQ(v1(a.united(b)), R"({"f:metadata":{"f:labels":{"f:x":{}}},"f:spec":{"f:paused":{},"f:replicas":{}}})");
  EXPECT_EQ(v1(a.minus(b)), R"({"f:spec":{"f:paused":{}}})");
  EXPECT_EQ(v1(a.intersected(b)), R"({"f:spec":{"f:replicas":{}}})");
  EXPECT_TRUE(a.minus(a).empty());
  EXPECT_EQ(a.members().size(), 2u);
}

TEST(FieldSet, PrintsPathsAsKubernetesConflictsDo) {
  EXPECT_EQ(apiserver::path_text({"f:spec", "f:replicas"}), ".spec.replicas");
  EXPECT_EQ(apiserver::path_text({"f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:image"}),
            R"(.spec.containers[name="nginx"].image)");
  EXPECT_EQ(apiserver::path_text({"f:metadata", "f:finalizers", R"(v:"x")"}), R"(.metadata.finalizers[="x"])");
  EXPECT_EQ(apiserver::path_text({"f:ports", R"(k:{"containerPort":80})"}), ".ports[containerPort=80]");
}

TEST(TypedFields, FieldsOfAnObjectFollowTheSchema) {
  FieldSet set = apiserver::fields_of(json::parse(kDeployment), deployment());
  // Map keys and keyed list elements are members; the selector is atomic (one field).
  EXPECT_TRUE(set.contains({"f:metadata", "f:labels", "f:app"}));
  EXPECT_FALSE(set.contains({"f:metadata", "f:labels"}));
  EXPECT_TRUE(set.contains({"f:spec", "f:selector"}));
  EXPECT_FALSE(set.contains({"f:spec", "f:selector", "f:matchLabels"}));
  FieldPath container = {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})"};
  EXPECT_TRUE(set.contains(container));
  auto under = [&](std::vector<std::string> tail) {
    FieldPath p = container;
    p.insert(p.end(), tail.begin(), tail.end());
    return p;
  };
  EXPECT_TRUE(set.contains(under({"f:image"})));
  EXPECT_TRUE(set.contains(under({"f:env", R"(k:{"name":"A"})", "f:value"})));
  EXPECT_TRUE(set.contains(under({"f:ports", R"(k:{"containerPort":80})", "f:containerPort"})));
  EXPECT_TRUE(set.contains({"f:apiVersion"}));
}

TEST(TypedFields, EmptyObjectsAndSetListsAreMembers) {
  FieldSet set = apiserver::fields_of(
      json::parse(R"({"metadata":{"finalizers":["a","b"]},"spec":{"template":{"spec":{"securityContext":{}}}}})"),
      deployment());
  EXPECT_TRUE(set.contains({"f:metadata", "f:finalizers", R"(v:"a")"}));
  EXPECT_TRUE(set.contains({"f:spec", "f:template", "f:spec", "f:securityContext"}));
}

TEST(TypedFields, CompareFindsAddedModifiedRemoved) {
  json::value before = json::parse(kDeployment);
  json::value after = before;
  after.at("spec").as_object()["replicas"] = 3;
  auto& container = after.at("spec").at("template").at("spec").at("containers").as_array()[0].as_object();
  container["env"] = json::array{json::object{{"name", "B"}, {"value", "2"}}};
  after.at("metadata").as_object()["annotations"] = json::object{{"note", "x"}};
  auto changes = apiserver::compare_fields(before, after, deployment());
  EXPECT_EQ(v1(changes.modified), R"({"f:spec":{"f:replicas":{}}})");
  FieldPath env = {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:env"};
  auto with = [&](std::vector<std::string> tail) {
    FieldPath p = env;
    p.insert(p.end(), tail.begin(), tail.end());
    return p;
  };
  EXPECT_TRUE(changes.added.contains(with({R"(k:{"name":"B"})"})));
  EXPECT_TRUE(changes.added.contains(with({R"(k:{"name":"B"})", "f:value"})));
  EXPECT_TRUE(changes.removed.contains(with({R"(k:{"name":"A"})"})));
  EXPECT_TRUE(changes.removed.contains(with({R"(k:{"name":"A"})", "f:name"})));
  // A map added whole is owned itself as well: f:annotations {".":{}, "f:note":{}}.
  EXPECT_TRUE(changes.added.contains({"f:metadata", "f:annotations"}));
  EXPECT_TRUE(changes.added.contains({"f:metadata", "f:annotations", "f:note"}));
  EXPECT_TRUE(apiserver::compare_fields(before, before, deployment()).empty());
}

TEST(TypedFields, MergeMergesKeyedListsByKeyAndReplacesAtomicOnes) {
  json::value live = json::parse(kDeployment);
  json::value config = json::parse(R"({"spec":{"selector":{"matchLabels":{"tier":"x"}},"template":{"spec":{
      "containers":[{"name":"nginx","image":"nginx:2","args":["a"]},{"name":"side","image":"busybox"}]}}}})");
  json::value merged = apiserver::merge_applied(live, config, deployment());
  const auto& containers = merged.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0].at("image"), "nginx:2");
  EXPECT_EQ(containers[0].at("env").as_array().size(), 1u);  // kept: merged by name
  EXPECT_EQ(containers[1].at("name"), "side");
  // The selector is atomic: replaced, not merged.
  EXPECT_EQ(json::serialize(merged.at("spec").at("selector")), R"({"matchLabels":{"tier":"x"}})");
}

TEST(TypedFields, RemovalDropsUnownedFieldsAndKeepsElementsOthersOwnFieldsOf) {
  json::value object = json::parse(kDeployment);
  FieldSet remove;
  remove.insert({"f:metadata", "f:labels", "f:app"});
  FieldPath container = {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})"};
  remove.insert(container);
  FieldPath env = container;
  env.insert(env.end(), {"f:env", R"(k:{"name":"A"})"});
  remove.insert(env);
  FieldSet keep;
  FieldPath image = container;
  image.push_back("f:image");
  keep.insert(image);  // someone else owns the container's image: the container stays
  json::value out = apiserver::remove_fields(object, remove, keep, deployment());
  EXPECT_FALSE(out.at("metadata").at("labels").as_object().contains("app"));
  const auto& containers = out.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_TRUE(containers[0].at("env").as_array().empty());
  EXPECT_EQ(containers[0].at("image"), "nginx:1");
  // Nobody keeps anything under the container: it goes.
  out = apiserver::remove_fields(object, remove, FieldSet{}, deployment());
  EXPECT_TRUE(out.at("spec").at("template").at("spec").at("containers").as_array().empty());
}

}  // namespace
