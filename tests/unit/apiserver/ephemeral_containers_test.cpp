// Ephemeral containers (kubectl debug): the fields they may not have, their target, that
// they are only ever added, and the strategic merge patch kubectl sends for them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "defaults.hpp"
#include "ephemeral_validation.hpp"
#include "patch.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace core = api::core::v1;
namespace json = boost::json;

core::Pod running_pod() {
  core::Pod p;
  p.mutable_metadata()->set_name("web");
  p.mutable_metadata()->set_namespace_("default");
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("nginx:1.25");
  apiserver::apply_defaults(p);
  return p;
}

core::EphemeralContainer debugger(const std::string& name, const std::string& target = "app") {
  core::EphemeralContainer e;
  e.set_name(name);
  e.set_image("busybox:1");
  e.set_target_container_name(target);
  return e;
}

core::Pod with(core::Pod p, const core::EphemeralContainer& e) {
  *p.mutable_spec()->add_ephemeral_containers() = e;
  apiserver::apply_defaults(p);
  return p;
}

TEST(EphemeralContainers, AddingOneToARunningPodIsValidAndItIsDefaulted) {
  auto before = running_pod();
  auto after = with(before, debugger("debugger"));
  EXPECT_TRUE(causes(after, &before).empty());
  EXPECT_EQ(after.spec().ephemeral_containers(0).termination_message_path(), "/dev/termination-log");
  EXPECT_EQ(after.spec().ephemeral_containers(0).image_pull_policy(), "IfNotPresent");
  EXPECT_EQ(after.spec().ephemeral_containers(0).target_container_name(), "app") << "defaulting keeps the target";
}

TEST(EphemeralContainers, CannotBeSetOnCreate) {
  auto p = with(running_pod(), debugger("debugger"));
  EXPECT_TRUE(has_cause(p, "spec.ephemeralContainers: Forbidden: cannot be set on create"));
}

TEST(EphemeralContainers, FieldsOnlyLongLivedContainersHaveAreForbidden) {
  auto before = running_pod();
  auto e = debugger("debugger");
  e.add_ports()->set_container_port(80);
  e.mutable_readiness_probe()->mutable_exec()->add_command("true");
  e.mutable_lifecycle()->mutable_pre_stop()->mutable_exec()->add_command("true");
  (*e.mutable_resources()->mutable_limits())["cpu"] = "1";
  auto after = with(before, e);
  const std::string why = "Forbidden: cannot be set for an Ephemeral Container";
  EXPECT_TRUE(has_cause(after, "spec.ephemeralContainers[0].ports: " + why, &before));
  EXPECT_TRUE(has_cause(after, "spec.ephemeralContainers[0].readinessProbe: " + why, &before));
  EXPECT_TRUE(has_cause(after, "spec.ephemeralContainers[0].lifecycle: " + why, &before));
  EXPECT_TRUE(has_cause(after, "spec.ephemeralContainers[0].resources: " + why, &before));
}

TEST(EphemeralContainers, NamesAreUniqueAmongAllContainersAndTheTargetMustExist) {
  auto before = running_pod();
  auto clash = with(before, debugger("app"));
  EXPECT_TRUE(has_cause(clash, "spec.ephemeralContainers[0].name: Duplicate value: \"app\"", &before));
  auto no_target = with(before, debugger("debugger", "nope"));
  EXPECT_TRUE(has_cause(no_target, "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\"", &before));
  auto no_image = debugger("debugger");
  no_image.clear_image();
  EXPECT_TRUE(has_cause(with(before, no_image), "spec.ephemeralContainers[0].image: Required value", &before));
}

TEST(EphemeralContainers, AreOnlyEverAddedNeverChangedOrRemoved) {
  auto one = with(running_pod(), debugger("first"));
  auto two = with(one, debugger("second"));
  EXPECT_TRUE(causes(two, &one).empty());
  auto changed = two;
  changed.mutable_spec()->mutable_ephemeral_containers(0)->set_image("busybox:2");
  EXPECT_TRUE(has_cause(changed, "spec.ephemeralContainers[0]: Forbidden: existing ephemeral containers \"first\" may not be changed", &two));
  auto removed = two;
  removed.mutable_spec()->mutable_ephemeral_containers()->DeleteSubrange(0, 1);
  EXPECT_TRUE(has_cause(removed, "spec.ephemeralContainers[0]: Forbidden: existing ephemeral containers \"first\" may not be removed", &two));
}

TEST(EphemeralContainers, APlainPodUpdateMayNotChangeThem) {
  auto before = running_pod();
  auto after = with(before, debugger("debugger"));
  try {
    apiserver::refuse_ephemeral_change(type_of<core::Pod>(), before, after);
    ADD_FAILURE() << "a plain update added an ephemeral container";
  } catch (const apiserver::ApiError& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(e.status().message.find("spec.ephemeralContainers: Forbidden: may only be changed through the "
                                      "pods/ephemeralcontainers subresource"), std::string::npos) << e.status().message;
  }
  EXPECT_NO_THROW(apiserver::refuse_ephemeral_change(type_of<core::Pod>(), after, after));
}

TEST(EphemeralContainers, TheSubresourceTakesOnlyTheEphemeralContainers) {
  auto current = running_pod();
  auto requested = with(current, debugger("debugger"));
  requested.mutable_spec()->mutable_containers(0)->set_image("nginx:9");
  (*requested.mutable_metadata()->mutable_labels())["sneaky"] = "yes";
  auto next = apiserver::with_ephemeral_containers_of(current, requested);
  ASSERT_EQ(next.spec().ephemeral_containers_size(), 1);
  EXPECT_EQ(next.spec().ephemeral_containers(0).name(), "debugger");
  EXPECT_EQ(next.spec().containers(0).image(), "nginx:1.25");
  EXPECT_TRUE(next.metadata().labels().empty());
}

// What kubectl debug sends: a strategic merge patch adding to spec.ephemeralContainers by name.
TEST(EphemeralContainers, KubectlsStrategicMergePatchAppendsByName) {
  auto target = json::parse(R"({"spec":{"containers":[{"name":"app","image":"nginx"}],
      "ephemeralContainers":[{"name":"first","image":"busybox"}]}})");
  auto patched = apiserver::apply_strategic_merge_patch(
      target, json::parse(R"({"spec":{"ephemeralContainers":[{"name":"debugger-x","image":"busybox:1",
          "targetContainerName":"app","stdin":true,"tty":true}]}})"), core::Pod::descriptor());
  const auto& list = patched.at("spec").at("ephemeralContainers").as_array();
  ASSERT_EQ(list.size(), 2u) << json::serialize(patched);
  EXPECT_EQ(list[0].at("name"), "first");
  EXPECT_EQ(list[1].at("name"), "debugger-x");
  EXPECT_EQ(list[1].at("targetContainerName"), "app");
}

}  // namespace
