// The three patch types on Kubernetes JSON: RFC 6902 JSON Patch, RFC 7386 merge patch, and
// Kubernetes' strategic merge patch with its list merge keys and directives.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "patch.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/pod.pb.h"

namespace {

using namespace skiff;
namespace json = boost::json;

std::string merged(const char* target, const char* patch) {
  return json::serialize(apiserver::apply_merge_patch(json::parse(target), json::parse(patch)));
}

std::string patched(const char* target, const char* patch) {
  return json::serialize(apiserver::apply_json_patch(json::parse(target), json::parse(patch)));
}

// The status a failing JSON patch answers with.
sdk::Status json_patch_error(const char* target, const char* patch) {
  try {
    apiserver::apply_json_patch(json::parse(target), json::parse(patch));
  } catch (const apiserver::ApiError& e) {
    return e.status();
  }
  return sdk::Status{};
}

json::value strategic(const char* target, const char* patch,
                      const google::protobuf::Descriptor* type = api::apps::v1::Deployment::descriptor()) {
  return apiserver::apply_strategic_merge_patch(json::parse(target), json::parse(patch), type);
}

// ---- RFC 7386, every example of its Appendix A ----

TEST(MergePatch, Rfc7386AppendixA) {
  EXPECT_EQ(merged(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(merged(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  EXPECT_EQ(merged(R"({"a":"b"})", R"({"a":null})"), R"({})");
  EXPECT_EQ(merged(R"({"a":"b","b":"c"})", R"({"a":null})"), R"({"b":"c"})");
  EXPECT_EQ(merged(R"({"a":["b"]})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(merged(R"({"a":"c"})", R"({"a":["b"]})"), R"({"a":["b"]})");
  EXPECT_EQ(merged(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), R"({"a":{"b":"d"}})");
  EXPECT_EQ(merged(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  EXPECT_EQ(merged(R"(["a","b"])", R"(["c","d"])"), R"(["c","d"])");
  EXPECT_EQ(merged(R"({"a":"b"})", R"(["c"])"), R"(["c"])");
  EXPECT_EQ(merged(R"({"a":"foo"})", R"(null)"), R"(null)");
  EXPECT_EQ(merged(R"({"a":"foo"})", R"("bar")"), R"("bar")");
  EXPECT_EQ(merged(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  EXPECT_EQ(merged(R"([1,2])", R"({"a":"b","c":null})"), R"({"a":"b"})");
  EXPECT_EQ(merged(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
}

// ---- RFC 6902 ----

TEST(JsonPatch, AddInsertsIntoObjectsAndArrays) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])"), R"({"a":1,"b":2})");
  EXPECT_EQ(patched(R"({"a":[1,3]})", R"([{"op":"add","path":"/a/1","value":2}])"), R"({"a":[1,2,3]})");
  EXPECT_EQ(patched(R"({"a":[1]})", R"([{"op":"add","path":"/a/-","value":2}])"), R"({"a":[1,2]})");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/a","value":{"x":true}}])"), R"({"a":{"x":true}})")
      << "add on an existing member replaces it";
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])"), R"([1])") << "the empty path is the document";
}

TEST(JsonPatch, RemoveReplaceMoveCopy) {
  EXPECT_EQ(patched(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])"), R"({"b":2})");
  EXPECT_EQ(patched(R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/1"}])"), R"({"a":[1,3]})");
  EXPECT_EQ(patched(R"({"a":[1,2]})", R"([{"op":"replace","path":"/a/0","value":9}])"), R"({"a":[9,2]})");
  EXPECT_EQ(patched(R"({"a":{"b":1},"c":{}})", R"([{"op":"move","from":"/a/b","path":"/c/d"}])"), R"({"a":{},"c":{"d":1}})");
  EXPECT_EQ(patched(R"({"a":[1,2]})", R"([{"op":"move","from":"/a/0","path":"/a/-"}])"), R"({"a":[2,1]})");
  EXPECT_EQ(patched(R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])"), R"({"a":{"b":1},"c":{"b":1}})");
}

TEST(JsonPatch, ReplaceOfAMissingMemberAddsIt) {
  // kubectl rollout undo replaces /metadata/annotations even when the object has none.
  EXPECT_EQ(patched(R"({"metadata":{}})", R"([{"op":"replace","path":"/metadata/annotations","value":{"a":"b"}}])"),
            R"({"metadata":{"annotations":{"a":"b"}}})");
}

TEST(JsonPatch, TestGuardsTheWholePatch) {
  EXPECT_EQ(patched(R"({"a":{"b":[1,"x"]}})", R"([{"op":"test","path":"/a/b","value":[1,"x"]},
                                                   {"op":"replace","path":"/a/b/1","value":"y"}])"),
            R"({"a":{"b":[1,"y"]}})");
  auto failed = json_patch_error(R"({"a":1})", R"([{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}])");
  EXPECT_EQ(failed.code, 422);
  EXPECT_EQ(failed.message, "the patch cannot be applied: test operation for path /a failed");
}

TEST(JsonPatch, PointerEscapes) {
  // "~1" is "/", "~0" is "~": the annotation kubernetes.io/change-cause, a key "a~b".
  EXPECT_EQ(patched(R"({"metadata":{"annotations":{}}})",
                    R"([{"op":"add","path":"/metadata/annotations/kubernetes.io~1change-cause","value":"x"}])"),
            R"({"metadata":{"annotations":{"kubernetes.io/change-cause":"x"}}})");
  EXPECT_EQ(patched(R"({"a~b":1})", R"([{"op":"remove","path":"/a~0b"}])"), R"({})");
}

TEST(JsonPatch, OperationsThatCannotApplyAre422) {
  EXPECT_EQ(json_patch_error(R"({"a":1})", R"([{"op":"remove","path":"/b"}])").message,
            "the patch cannot be applied: path /b does not exist");
  EXPECT_EQ(json_patch_error(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])").message,
            "the patch cannot be applied: index 5 in /a/5 is out of range");
  EXPECT_EQ(json_patch_error(R"({"a":[1]})", R"([{"op":"replace","path":"/a/x","value":1}])").message,
            "the patch cannot be applied: \"x\" in /a/x is not an array index");
  EXPECT_EQ(json_patch_error(R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])").message,
            "the patch cannot be applied: path /x/y does not exist");
  EXPECT_EQ(json_patch_error(R"({"a":1})", R"([{"op":"copy","from":"/nope","path":"/b"}])").code, 422);
  EXPECT_EQ(json_patch_error(R"({"a":1})", R"([{"op":"add","path":"a","value":1}])").message,
            "the patch cannot be applied: path \"a\" must start with '/'");
}

TEST(JsonPatch, MalformedPatchesAre400) {
  EXPECT_EQ(json_patch_error(R"({})", R"({"op":"add"})").code, 400);
  EXPECT_EQ(json_patch_error(R"({})", R"([1])").code, 400);
  EXPECT_EQ(json_patch_error(R"({})", R"([{"path":"/a","value":1}])").message, "JSON patch operation without \"op\"");
  EXPECT_EQ(json_patch_error(R"({})", R"([{"op":"add","path":"/a"}])").message, "JSON patch \"add\" without \"value\"");
  EXPECT_EQ(json_patch_error(R"({})", R"([{"op":"merge","path":"/a"}])").message, "unknown JSON patch operation \"merge\"");
}

// ---- strategic merge ----

const char* kDeployment = R"({"metadata":{"labels":{"app":"web","tier":"front"},"finalizers":["a"]},
  "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
  "template":{"spec":{"containers":[
    {"name":"web","image":"nginx:1","args":["-a"],"ports":[{"containerPort":80},{"containerPort":443}],
     "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
    {"name":"sidecar","image":"envoy:1"}]}}}})";

const json::array& containers(const json::value& d) { return d.at("spec").at("template").at("spec").at("containers").as_array(); }

TEST(StrategicMergePatch, ContainersMergeByNameOthersStay) {
  auto d = strategic(kDeployment, R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}})");
  const auto& list = containers(d);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("image"), "nginx:2");
  EXPECT_EQ(list[0].at("args"), json::parse(R"(["-a"])")) << "fields the patch does not name stay";
  EXPECT_EQ(list[1].at("name"), "sidecar");
  EXPECT_EQ(d.at("spec").at("replicas"), 1);
}

TEST(StrategicMergePatch, NestedListsMergeByTheirOwnKeys) {
  auto d = strategic(kDeployment, R"({"spec":{"template":{"spec":{"containers":[{"name":"web",
      "env":[{"name":"B","value":"two"},{"name":"C","value":"3"}],"ports":[{"containerPort":443,"name":"tls"}]}]}}}})");
  const auto& web = containers(d)[0];
  EXPECT_EQ(web.at("env"), json::parse(R"([{"name":"A","value":"1"},{"name":"B","value":"two"},{"name":"C","value":"3"}])"));
  EXPECT_EQ(web.at("ports"), json::parse(R"([{"containerPort":80},{"containerPort":443,"name":"tls"}])"));
}

TEST(StrategicMergePatch, ListsWithoutAMergeKeyAreReplaced) {
  auto d = strategic(kDeployment, R"({"spec":{"template":{"spec":{"containers":[{"name":"web","args":["-b","-c"]}]}}}})");
  EXPECT_EQ(containers(d)[0].at("args"), json::parse(R"(["-b","-c"])"));
}

TEST(StrategicMergePatch, NullRemovesAndNewElementsAppend) {
  // kubectl apply after removing ports and adding a container.
  auto d = strategic(kDeployment, R"({"spec":{"template":{"spec":{
      "containers":[{"name":"web","ports":null},{"name":"logger","image":"fluent:1"}]}}}})");
  const auto& list = containers(d);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_FALSE(list[0].as_object().contains("ports"));
  EXPECT_EQ(list[2].at("name"), "logger");
}

TEST(StrategicMergePatch, SetElementOrderOrdersTheMergedList) {
  auto d = strategic(kDeployment, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}],
      "containers":[{"name":"web","image":"nginx:3"}]}}}})");
  const auto& list = containers(d);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "sidecar");
  EXPECT_EQ(list[1].at("image"), "nginx:3");
}

TEST(StrategicMergePatch, PatchDeleteAndReplaceDirectivesInLists) {
  auto gone = strategic(kDeployment, R"({"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}})");
  ASSERT_EQ(containers(gone).size(), 1u);
  EXPECT_EQ(containers(gone)[0].at("name"), "web");
  auto replaced = strategic(kDeployment, R"({"spec":{"template":{"spec":{
      "containers":[{"name":"only","image":"busybox"},{"$patch":"replace"}]}}}})");
  EXPECT_EQ(containers(replaced), json::parse(R"([{"name":"only","image":"busybox"}])").as_array());
}

TEST(StrategicMergePatch, PatchReplaceAndDeleteOnMaps) {
  auto replaced = strategic(kDeployment, R"({"metadata":{"labels":{"$patch":"replace","app":"api"}}})");
  EXPECT_EQ(replaced.at("metadata").at("labels"), json::parse(R"({"app":"api"})"));
  auto deleted = strategic(kDeployment, R"({"metadata":{"labels":{"$patch":"delete"}}})");
  EXPECT_EQ(deleted.at("metadata").at("labels"), json::parse("{}"));
}

TEST(StrategicMergePatch, RetainKeysDropsWhatItDoesNotList) {
  // kubectl apply switching the strategy to Recreate.
  auto d = strategic(kDeployment, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}})");
  EXPECT_EQ(d.at("spec").at("strategy"), json::parse(R"({"type":"Recreate"})"));
  auto kept = strategic(kDeployment, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(kept.at("spec").at("strategy"), json::parse(R"({"type":"Recreate"})"));
}

TEST(StrategicMergePatch, PrimitiveMergeListsUnionAndDeleteFromPrimitiveList) {
  auto added = strategic(kDeployment, R"({"metadata":{"finalizers":["b","a"]}})");
  EXPECT_EQ(added.at("metadata").at("finalizers"), json::parse(R"(["a","b"])"));
  auto removed = strategic(R"({"metadata":{"finalizers":["a","b","c"]}})", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})");
  EXPECT_EQ(removed.at("metadata").at("finalizers"), json::parse(R"(["a","c"])"));
}

TEST(StrategicMergePatch, MapsMergeWithNullDeleting) {
  auto d = strategic(kDeployment, R"({"metadata":{"labels":{"tier":null,"track":"canary"}}})");
  EXPECT_EQ(d.at("metadata").at("labels"), json::parse(R"({"app":"web","track":"canary"})"));
}

TEST(StrategicMergePatch, FieldsOutsideTheSchemaMergeAsAMergePatch) {
  auto d = strategic(R"({"status":{"x":{"a":1}}})", R"({"status":{"x":{"b":2}},"extra":[1]})");
  EXPECT_EQ(d.at("status").at("x"), json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(d.at("extra"), json::parse("[1]"));
}

TEST(StrategicMergePatch, PodConditionsMergeByType) {
  auto pod = strategic(R"({"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}})",
                       R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})", api::core::v1::Pod::descriptor());
  EXPECT_EQ(pod.at("status").at("conditions"),
            json::parse(R"([{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}])"));
}

TEST(StrategicMergePatch, ANonObjectPatchIs400) {
  try {
    strategic(kDeployment, "[1]");
    FAIL() << "accepted";
  } catch (const apiserver::ApiError& e) {
    EXPECT_EQ(e.status().code, 400);
  }
}

}  // namespace
