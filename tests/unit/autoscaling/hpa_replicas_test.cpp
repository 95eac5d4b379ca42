// The HPA replica calculation against Kubernetes' documented cases: the ratio and ceil, the
// tolerance, missing samples and unready pods treated conservatively, and which pods count.
#include <gtest/gtest.h>

#include "hpa_replicas.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
using namespace std::chrono_literals;

PodUsage ready(const std::string& name, std::int64_t usage, std::int64_t request = 1000) {
  return {name, PodGroup::Ready, usage, request};
}
PodUsage missing(const std::string& name, std::int64_t request = 1000) {
  return {name, PodGroup::Missing, std::nullopt, request};
}
PodUsage unready(const std::string& name, std::int64_t request = 1000) {
  return {name, PodGroup::Unready, std::nullopt, request};
}

ReplicaProposal proposal(std::variant<ReplicaProposal, std::string> result) {
  if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
  return std::get_if<ReplicaProposal>(&result) ? std::get<ReplicaProposal>(result) : ReplicaProposal{};
}

TEST(HpaReplicas, DesiredIsCurrentTimesTheRatioRoundedUp) {
  // Kubernetes' docs: 200m used of a 100m target (as 200 % against 100 %) doubles; 50 % halves.
  auto up = proposal(utilization_replicas(3, 50, {ready("a", 1000), ready("b", 1000), ready("c", 1000)}, {}));
  EXPECT_EQ(up.replicas, 6);
  EXPECT_EQ(*up.utilization, 100);
  EXPECT_EQ(up.average_usage, 1000);
  auto down = proposal(utilization_replicas(4, 50, {ready("a", 100), ready("b", 100), ready("c", 100), ready("d", 100)}, {}));
  EXPECT_EQ(down.replicas, 1);  // ceil(0.2 × 4)
  EXPECT_EQ(*down.utilization, 10);
  // 3 pods at 70 % of a 50 % target: ceil(1.4 × 3) = 5.
  EXPECT_EQ(proposal(utilization_replicas(3, 50, {ready("a", 700), ready("b", 700), ready("c", 700)}, {})).replicas, 5);
}

TEST(HpaReplicas, WithinTheToleranceNothingChanges) {
  // 54 % against 50 % is a ratio of 1.08: inside the default 10 %.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 540), ready("b", 540)}, {})).replicas, 2);
  // 56 % is 1.12: outside it.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 560), ready("b", 560)}, {})).replicas, 3);
  // A tolerance of its own (behavior.scaleUp.tolerance) keeps 1.12 too.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 560), ready("b", 560)}, {0.1, 0.2})).replicas, 2);
}

TEST(HpaReplicas, UtilizationIsWholePercentOfTheSummedRequests) {
  // 300m of 250m + 250m requested is 60 % (not averaged per pod).
  auto p = proposal(utilization_replicas(2, 50, {ready("a", 100, 250), ready("b", 200, 250)}, {}));
  EXPECT_EQ(*p.utilization, 60);
  EXPECT_EQ(p.replicas, 3);  // ceil(1.2 × 2)
}

TEST(HpaReplicas, MissingSamplesCountAsZeroWhenScalingUp) {
  // Two pods at 100 %, one missing: 200/300 = 66 % against 50 % still scales up, less far.
  auto p = proposal(utilization_replicas(3, 50, {ready("a", 1000), ready("b", 1000), missing("c")}, {}));
  EXPECT_EQ(p.replicas, 4);  // ceil(1.32 × 3)
  EXPECT_EQ(*p.utilization, 100);  // the status shows what was measured
}

TEST(HpaReplicas, MissingSamplesCountAsFullRequestWhenScalingDown) {
  // One pod at 10 %, one missing (taken as 100 %): 55 % against 50 % is within the tolerance.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 100), missing("b")}, {})).replicas, 2);
  // Against a target above 100 % the missing pod is taken at the target.
  auto p = proposal(utilization_replicas(3, 150, {ready("a", 100), ready("b", 100), missing("c")}, {}));
  EXPECT_EQ(p.replicas, 2);  // (100 + 100 + 1500) / 3000 = 56 % → ceil(0.37 × 3) = 2
}

TEST(HpaReplicas, AMissingSampleThatReversesTheDirectionMeansNoChange) {
  // Ready pods at 60 % (up), but a missing pod at 0 brings it to 40 %: no change.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 600), missing("b")}, {})).replicas, 2);
}

TEST(HpaReplicas, UnreadyPodsAreLeftOutUnlessScalingUp) {
  // Scaling down: the unready pod is ignored; 10 % → ceil(0.2 × 1) = 1.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 100), unready("b")}, {})).replicas, 1);
  // Scaling up: it counts as 0 usage. 100 % + 0 over two pods = 50 %: exactly the target, no change.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 1000), unready("b")}, {})).replicas, 2);
  // 150 % and one unready: 75 % → ceil(1.5 × 2) = 3.
  EXPECT_EQ(proposal(utilization_replicas(2, 50, {ready("a", 1500), unready("b")}, {})).replicas, 3);
}

TEST(HpaReplicas, ErrorsAreKubernetesOwn) {
  auto none = utilization_replicas(1, 50, {}, {});
  EXPECT_EQ(std::get<std::string>(none), "no pods returned by selector while calculating replica count");
  auto all_unready = utilization_replicas(2, 50, {unready("a"), missing("b")}, {});
  EXPECT_EQ(std::get<std::string>(all_unready), "did not receive metrics for targeted pods (pods might be unready)");
}

TEST(HpaReplicas, AverageValueTargets) {
  // 300m and 500m against 200m per pod: ratio 2 → 4 pods.
  auto p = proposal(average_value_replicas(2, 200, {ready("a", 300), ready("b", 500)}, {}));
  EXPECT_EQ(p.replicas, 4);
  EXPECT_FALSE(p.utilization);
  EXPECT_EQ(p.average_usage, 400);
  // Missing on the way down counts as the target: (100 + 200) / 400 = 0.75 → ceil(1.5) = 2 of 2: no change.
  EXPECT_EQ(proposal(average_value_replicas(2, 200, {ready("a", 100), missing("b")}, {})).replicas, 2);
}

api::core::v1::Pod running_pod(WallTime started, const std::string& ready_status, WallTime transition) {
  api::core::v1::Pod pod;
  pod.mutable_metadata()->set_name("p");
  pod.mutable_status()->set_phase("Running");
  pod.mutable_status()->set_start_time(sdk::format_rfc3339(started));
  auto* c = pod.mutable_status()->add_conditions();
  c->set_type("Ready");
  c->set_status(ready_status);
  c->set_last_transition_time(sdk::format_rfc3339(transition));
  return pod;
}

TEST(HpaPodGroups, WhichPodsCount) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  CpuReadiness readiness;  // 5 min initialization, 30 s readiness delay
  PodSampleTimes fresh{now, 15s};
  auto old = running_pod(now - 1h, "True", now - 1h);
  EXPECT_EQ(group_pod(old, fresh, true, readiness, now), PodGroup::Ready);
  EXPECT_EQ(group_pod(old, std::nullopt, true, readiness, now), PodGroup::Missing);

  auto pending = old;
  pending.mutable_status()->set_phase("Pending");
  EXPECT_EQ(group_pod(pending, fresh, true, readiness, now), PodGroup::Unready);
  auto failed = old;
  failed.mutable_status()->set_phase("Failed");
  EXPECT_EQ(group_pod(failed, fresh, true, readiness, now), PodGroup::Ignored);
  auto deleting = old;
  deleting.mutable_metadata()->set_deletion_timestamp(sdk::format_rfc3339(now));
  EXPECT_EQ(group_pod(deleting, fresh, true, readiness, now), PodGroup::Ignored);

  // Within the initialization period: ready, but the sample's window began before readiness.
  auto starting = running_pod(now - 1min, "True", now - 10s);
  EXPECT_EQ(group_pod(starting, fresh, true, readiness, now), PodGroup::Unready);
  EXPECT_EQ(group_pod(starting, PodSampleTimes{now, 5s}, true, readiness, now), PodGroup::Ready);
  // Memory has no such rule.
  EXPECT_EQ(group_pod(starting, fresh, false, readiness, now), PodGroup::Ready);
  // Past initialization: unready and never ready since its start (within the readiness delay) is left out;
  // unready after having been ready counts.
  EXPECT_EQ(group_pod(running_pod(now - 1h, "False", now - 1h + 10s), fresh, true, readiness, now), PodGroup::Unready);
  EXPECT_EQ(group_pod(running_pod(now - 1h, "False", now - 10min), fresh, true, readiness, now), PodGroup::Ready);
}

}  // namespace
