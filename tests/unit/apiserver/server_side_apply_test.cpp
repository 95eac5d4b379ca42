// Ownership without a server: updates recorded as operation Update, applies with conflicts,
// force, shared values, removal of fields an applier stops sending, and the migration from
// client-side apply.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "field_tracking.hpp"
#include "managed_fields.hpp"
#include "server_side_apply.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace {

using namespace skiff;
using apiserver::MessagePtr;
namespace json = boost::json;
namespace apps = api::apps::v1;

const sdk::ResourceType& deployments() { return *sdk::find_resource("deployments.apps"); }

constexpr const char* kLive = R"({"metadata":{"name":"web","namespace":"default","resourceVersion":"5"},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1"}]}}}})";

MessagePtr object_of(const char* text) {
  auto d = std::make_shared<apps::Deployment>();
  sdk::from_k8s_json(json::parse(text), *d);
  return d;
}

// `object` as written by `manager` with an update (operation Update) from nothing.
MessagePtr created_by(const std::string& manager, const char* text) {
  MessagePtr d = object_of(text);
  apiserver::track_update_fields(deployments(), manager, "")(nullptr, *d);
  return d;
}

MessagePtr apply(const google::protobuf::Message& current, const std::string& manager, const char* config,
                 bool force = false) {
  apiserver::ApplyRequest request;
  request.manager = manager;
  request.force = force;
  std::vector<std::string> warnings;
  return apiserver::applied_object(deployments(), current, json::parse(config), request, warnings);
}

const apps::Deployment& as_deployment(const MessagePtr& m) { return static_cast<const apps::Deployment&>(*m); }

std::vector<apiserver::ManagerEntry> managers(const MessagePtr& m) {
  return apiserver::managers_of(sdk::meta_of(*m));
}

const apiserver::ManagerEntry* find(const std::vector<apiserver::ManagerEntry>& entries, const std::string& manager) {
  for (const auto& e : entries)
    if (e.manager == manager) return &e;
  return nullptr;
}

apiserver::ApiError conflict_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const apiserver::ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no conflict";
  return apiserver::ApiError(sdk::Status::Ok());
}

constexpr const char* kReplicas3 = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}})";

TEST(FieldTracking, CreateRecordsAnUpdateEntryWithTheWholeObjectButServerKeptMetadata) {
  MessagePtr d = created_by("kubectl-create", kLive);
  auto entries = managers(d);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].operation, "Update");
  EXPECT_EQ(entries[0].api_version, "apps/v1");
  EXPECT_EQ(entries[0].time.size(), 20u);  // 2026-12-01T10:00:00Z
  EXPECT_TRUE(entries[0].fields.contains({"f:spec", "f:replicas"}));
  EXPECT_TRUE(entries[0].fields.contains({"f:spec", "f:selector"}));
  EXPECT_FALSE(entries[0].fields.contains({"f:metadata", "f:name"}));
  EXPECT_FALSE(entries[0].fields.contains({"f:metadata", "f:resourceVersion"}));
  const auto& raw = sdk::meta_of(*d).managed_fields(0);
  EXPECT_EQ(raw.fields_type(), "FieldsV1");
}

TEST(FieldTracking, AnUpdateTakesTheFieldsItChangesFromTheirOwner) {
  MessagePtr before = created_by("kubectl-create", kLive);
  MessagePtr after = std::make_shared<apps::Deployment>(as_deployment(before));
  static_cast<apps::Deployment&>(*after).mutable_spec()->set_replicas(5);
  apiserver::track_update_fields(deployments(), "kubectl-scale", "scale")(before.get(), *after);
  auto entries = managers(after);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(find(entries, "kubectl-create")->fields.contains({"f:spec", "f:replicas"}));
  EXPECT_EQ(json::serialize(find(entries, "kubectl-scale")->fields.to_fields_v1()), R"({"f:spec":{"f:replicas":{}}})");
  EXPECT_EQ(find(entries, "kubectl-scale")->subresource, "scale");
}

TEST(ServerSideApply, ChangingAnotherManagersFieldIsAConflictNamingManagerAndField) {
  MessagePtr live = created_by("kubectl-client-side-apply", kLive);
  auto error = conflict_of([&] { apply(*live, "mgr", kReplicas3); });
  EXPECT_EQ(error.status().code, 409);
  EXPECT_EQ(error.status().reason, "Conflict");
  EXPECT_EQ(error.status().message,
            R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas)");
  ASSERT_EQ(error.details().causes_size(), 1);
  EXPECT_EQ(error.details().causes(0).reason(), "FieldManagerConflict");
  EXPECT_EQ(error.details().causes(0).field(), ".spec.replicas");
  EXPECT_EQ(error.details().causes(0).message(), R"(conflict with "kubectl-client-side-apply" using apps/v1)");
}

TEST(ServerSideApply, SeveralConflictsAreListedPerManager) {
  MessagePtr live = created_by("mgr", kLive);
  auto error = conflict_of([&] {
    apply(*live, "other", R"({"metadata":{"name":"web"},"spec":{"replicas":3,"template":{"spec":{
        "containers":[{"name":"nginx","image":"nginx:2"}]}}}})");
  });
  EXPECT_EQ(error.status().message,
            "Apply failed with 2 conflicts: conflicts with \"mgr\" using apps/v1:\n- .spec.replicas\n"
            "- .spec.template.spec.containers[name=\"nginx\"].image");
  EXPECT_EQ(error.details().causes_size(), 2);
}

TEST(ServerSideApply, ForceTakesOwnershipAndTheSameValueIsShared) {
  MessagePtr live = created_by("kubectl-client-side-apply", kLive);
  MessagePtr forced = apply(*live, "mgr", kReplicas3, true);
  EXPECT_EQ(as_deployment(forced).spec().replicas(), 3);
  auto entries = managers(forced);
  EXPECT_FALSE(find(entries, "kubectl-client-side-apply")->fields.contains({"f:spec", "f:replicas"}));
  EXPECT_EQ(find(entries, "mgr")->operation, "Apply");
  EXPECT_EQ(entries.front().operation, "Apply");  // Apply entries come first
  EXPECT_EQ(json::serialize(find(entries, "mgr")->fields.to_fields_v1()), R"({"f:spec":{"f:replicas":{}}})");

  MessagePtr shared = apply(*forced, "second", kReplicas3);  // same value: no conflict
  entries = managers(shared);
  EXPECT_TRUE(find(entries, "mgr")->fields.contains({"f:spec", "f:replicas"}));
  EXPECT_TRUE(find(entries, "second")->fields.contains({"f:spec", "f:replicas"}));
}

TEST(ServerSideApply, FieldsAnApplierStopsSendingAreRemovedUnlessSomeoneElseOwnsThem) {
  MessagePtr live = object_of(kLive);
  MessagePtr first = apply(*live, "mgr", R"({"metadata":{"name":"web","labels":{"a":"1","b":"2"}},"spec":{
      "template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}}})");
  EXPECT_EQ(sdk::meta_of(*first).labels().size(), 2u);
  EXPECT_EQ(as_deployment(first).spec().template_().spec().containers(0).env_size(), 2);
  MessagePtr second = apply(*first, "mgr", R"({"metadata":{"name":"web","labels":{"a":"1"}},"spec":{
      "template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"X","value":"1"}]}]}}}})");
  EXPECT_EQ(sdk::meta_of(*second).labels().count("b"), 0u);
  EXPECT_EQ(as_deployment(second).spec().template_().spec().containers(0).env_size(), 1);
  EXPECT_EQ(as_deployment(second).spec().template_().spec().containers(0).image(), "nginx:1");  // never applied

  // A label another applier also owns stays.
  MessagePtr shared = apply(*second, "other", R"({"metadata":{"name":"web","labels":{"a":"1"}}})");
  MessagePtr third = apply(*shared, "mgr", R"({"metadata":{"name":"web"}})");
  EXPECT_EQ(sdk::meta_of(*third).labels().count("a"), 1u);
}

TEST(ServerSideApply, KubectlTakesOverClientSideApplyFieldsWithoutConflicts) {
  // As `kubectl apply` (client-side) leaves an object: its manager and the annotation.
  std::string last = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}})";
  json::value live_json = json::parse(kLive);
  live_json.at("metadata").as_object()["annotations"] =
      json::object{{"kubectl.kubernetes.io/last-applied-configuration", last}};
  MessagePtr live = created_by("kubectl-client-side-apply", json::serialize(live_json).c_str());

  // Another manager than kubectl still conflicts; kubectl does not.
  EXPECT_EQ(conflict_of([&] { apply(*live, "mgr", kReplicas3); }).status().code, 409);
  MessagePtr migrated = apply(*live, "kubectl", kReplicas3);
  EXPECT_EQ(as_deployment(migrated).spec().replicas(), 3);
  auto entries = managers(migrated);
  EXPECT_TRUE(find(entries, "kubectl")->fields.contains({"f:spec", "f:replicas"}));
  EXPECT_FALSE(find(entries, "kubectl-client-side-apply")->fields.contains({"f:spec", "f:replicas"}));
  // The annotation now holds what kubectl applied, for a later client-side apply.
  json::value annotation =
      json::parse(sdk::meta_of(*migrated).annotations().at("kubectl.kubernetes.io/last-applied-configuration"));
  EXPECT_EQ(annotation.at("spec").at("replicas"), 3);
}

TEST(ServerSideApply, StatusSubresourceOwnsOnlyTheStatus) {
  MessagePtr live = object_of(kLive);
  apiserver::ApplyRequest request;
  request.manager = "ctrl";
  request.subresource = "status";
  std::vector<std::string> warnings;
  MessagePtr next = apiserver::applied_object(
      deployments(), *live, json::parse(R"({"metadata":{"name":"web"},"spec":{"replicas":9},"status":{"replicas":2}})"),
      request, warnings);
  auto entries = managers(next);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].subresource, "status");
  EXPECT_EQ(json::serialize(entries[0].fields.to_fields_v1()), R"({"f:status":{"f:replicas":{}}})");
}

TEST(ManagedFields, AtMostTenUpdateManagersTheOldestMergeIntoAncientChanges) {
  api::meta::v1::ObjectMeta meta;
  std::vector<apiserver::ManagerEntry> entries;
  for (int i = 0; i < 12; ++i) {
    apiserver::ManagerEntry e{"m" + std::to_string(i), "Update", "v1", "2026-01-01T00:00:" + std::to_string(10 + i) + "Z",
                              "", {}};
    e.fields.insert({"f:metadata", "f:labels", "f:l" + std::to_string(i)});
    entries.push_back(e);
  }
  entries.push_back({"kubectl", "Apply", "v1", "2026-01-01T00:00:00Z", "", {}});
  entries.back().fields.insert({"f:data"});
  apiserver::set_managers(meta, entries);
  auto out = apiserver::managers_of(meta);
  ASSERT_EQ(out.size(), 11u);  // one Apply, nine recent updates, ancient-changes
  EXPECT_EQ(out.front().operation, "Apply");
  const auto* ancient = find(out, "ancient-changes");
  ASSERT_NE(ancient, nullptr);
  EXPECT_TRUE(ancient->fields.contains({"f:metadata", "f:labels", "f:l0"}));
  EXPECT_TRUE(ancient->fields.contains({"f:metadata", "f:labels", "f:l2"}));
  EXPECT_EQ(find(out, "m1"), nullptr);
  EXPECT_NE(find(out, "m11"), nullptr);
}

TEST(ManagedFields, ManagerNameComesFromTheUserAgentWithoutFieldManager) {
  EXPECT_EQ(apiserver::manager_name("", "kubectl/v1.20.0 (linux/amd64) kubernetes/af46c47"), "kubectl");
  EXPECT_EQ(apiserver::manager_name("kubectl-edit", "kubectl/v1.30.0"), "kubectl-edit");
  EXPECT_EQ(apiserver::manager_name("", ""), "unknown");
}

}  // namespace
