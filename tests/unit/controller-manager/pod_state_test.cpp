// Pod facts every controller asks (active, ready, available), owner references and expectations.
#include <gtest/gtest.h>

#include "expectations.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "pod_builder.hpp"
#include "pod_state.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using test::ago;
using test::PodBuilder;

const auto kNow = sdk::parse_rfc3339("2026-06-01T12:00:00Z").value();

TEST(PodState, ActiveUntilFinishedOrDeleting) {
  EXPECT_TRUE(controllers::is_active(PodBuilder("p").phase("Pending").build()));
  EXPECT_TRUE(controllers::is_active(PodBuilder("p").phase("Running").build()));
  EXPECT_TRUE(controllers::is_active(PodBuilder("p").phase("Unknown").build()));
  EXPECT_FALSE(controllers::is_active(PodBuilder("p").phase("Succeeded").build()));
  EXPECT_FALSE(controllers::is_active(PodBuilder("p").phase("Failed").build()));
  EXPECT_FALSE(controllers::is_active(PodBuilder("p").phase("Running").deleting().build()));
}

TEST(PodState, ReadyIsTheReadyCondition) {
  EXPECT_TRUE(controllers::is_ready(PodBuilder("p").ready_since(ago(kNow, 1s)).build()));
  EXPECT_FALSE(controllers::is_ready(PodBuilder("p").not_ready().build()));
  EXPECT_FALSE(controllers::is_ready(PodBuilder("p").phase("Running").build()));
}

TEST(PodState, AvailableOnceReadyLongerThanMinReadySeconds) {
  auto pod = PodBuilder("p").ready_since(ago(kNow, 10s)).build();
  EXPECT_TRUE(controllers::is_available(pod, 0, kNow));
  EXPECT_TRUE(controllers::is_available(pod, 9, kNow));
  // Kubernetes: lastTransitionTime + minReadySeconds must be before now, not equal to it.
  EXPECT_FALSE(controllers::is_available(pod, 10, kNow));
  EXPECT_FALSE(controllers::is_available(pod, 30, kNow));
  EXPECT_FALSE(controllers::is_available(PodBuilder("p").not_ready().build(), 0, kNow));
}

TEST(PodState, TimeUntilAvailableIsForReadyPodsStillWaiting) {
  auto now = sdk::WallClock::now();
  auto waiting = PodBuilder("p").ready_since(ago(now, 10s)).build();
  auto left = controllers::time_until_available(waiting, 60);
  ASSERT_TRUE(left);
  EXPECT_GE(*left, 45s);
  EXPECT_LE(*left, 52s);
  EXPECT_FALSE(controllers::time_until_available(waiting, 0));
  EXPECT_FALSE(controllers::time_until_available(waiting, 5)) << "already available";
  EXPECT_FALSE(controllers::time_until_available(PodBuilder("p").not_ready().build(), 60));
}

TEST(PodState, ControllerReferencesPointAtTheOwner) {
  api::meta::v1::ObjectMeta owner;
  owner.set_name("web-abc");
  owner.set_uid("u1");
  auto ref = controllers::controller_reference(owner, sdk::resource_type_of<api::apps::v1::ReplicaSet>());
  EXPECT_EQ(ref.api_version(), "apps/v1");
  EXPECT_EQ(ref.kind(), "ReplicaSet");
  EXPECT_EQ(ref.name(), "web-abc");
  EXPECT_EQ(ref.uid(), "u1");
  EXPECT_TRUE(ref.controller());
  EXPECT_TRUE(ref.block_owner_deletion());
  api::meta::v1::ObjectMeta pod;
  EXPECT_EQ(controllers::controller_of(pod), nullptr);
  auto* other = pod.add_owner_references();
  other->set_uid("not-controller");
  *pod.add_owner_references() = ref;
  ASSERT_NE(controllers::controller_of(pod), nullptr);
  EXPECT_EQ(controllers::controller_of(pod)->uid(), "u1");
}

TEST(Expectations, SatisfiedOnceEveryExpectedChangeIsSeenOrFailed) {
  controllers::Expectations e;
  EXPECT_TRUE(e.satisfied("default/web")) << "nothing expected yet";
  e.expect("default/web", 2, 1);
  EXPECT_FALSE(e.satisfied("default/web"));
  e.observed_add("default/web");
  e.add_failed("default/web");
  EXPECT_FALSE(e.satisfied("default/web")) << "a deletion is still outstanding";
  e.observed_delete("default/web");
  EXPECT_TRUE(e.satisfied("default/web"));
  e.observed_add("default/other");
  EXPECT_TRUE(e.satisfied("default/other")) << "observations for keys never expected are ignored";
  e.expect("default/web", 1, 0);
  e.forget("default/web");
  EXPECT_TRUE(e.satisfied("default/web"));
}

}  // namespace
