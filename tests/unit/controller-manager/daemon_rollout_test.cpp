// The DaemonSet's per-sync plan: placement, failed pods, and rolling updates within
// maxUnavailable or maxSurge.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon_rollout.hpp"

namespace {

using namespace skiff::controllers;

DaemonNodeView eligible(const std::string& node, std::vector<DaemonPodView> pods = {}) {
  return {node, {true, true}, std::move(pods)};
}

DaemonPodView old_pod(const std::string& name, bool available = true) { return {name, false, available, false, "1"}; }
DaemonPodView new_pod(const std::string& name, bool available = true) { return {name, true, available, false, "2"}; }

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

TEST(DaemonSetRollout, CreatesOnEmptyEligibleNodesAndDeletesWhereForbidden) {
  std::vector<DaemonNodeView> nodes = {eligible("a"), eligible("b", {new_pod("p-b")}),
                                       {"c", {false, false}, {new_pod("p-c")}}, {"d", {false, true}, {new_pod("p-d")}}};
  auto plan = plan_daemon_pods(nodes, DaemonRollout{});
  EXPECT_EQ(plan.create_on, std::vector<std::string>{"a"});
  EXPECT_EQ(plan.delete_pods, std::vector<std::string>{"p-c"});  // d: NoSchedule only, the pod stays
}

TEST(DaemonSetRollout, FailedPodsAndDuplicatesGo) {
  DaemonPodView failed = new_pod("failed");
  failed.failed = true;
  DaemonPodView younger = new_pod("younger");
  younger.created = "3";
  auto plan = plan_daemon_pods({eligible("a", {failed}), eligible("b", {new_pod("older"), younger})}, DaemonRollout{});
  EXPECT_TRUE(has(plan.delete_pods, "failed"));
  EXPECT_TRUE(has(plan.delete_pods, "younger"));
  EXPECT_FALSE(has(plan.delete_pods, "older"));
  EXPECT_EQ(plan.create_on, std::vector<std::string>{"a"});
}

TEST(DaemonSetRollout, MaxUnavailableBoundsOldPodsDeletedAtOnce) {
  std::vector<DaemonNodeView> nodes = {eligible("a", {old_pod("a1")}), eligible("b", {old_pod("b1")}),
                                       eligible("c", {old_pod("c1")}), eligible("d", {old_pod("d1", false)})};
  auto plan = plan_daemon_pods(nodes, DaemonRollout{true, 2, 0});
  // d is down already (costs nothing), then one more within maxUnavailable 2.
  EXPECT_EQ(plan.delete_pods.size(), 2u);
  EXPECT_TRUE(has(plan.delete_pods, "d1"));
  EXPECT_TRUE(plan.create_on.empty());
}

TEST(DaemonSetRollout, MaxSurgeStartsNewPodsBesideOldOnesThenRemovesOld) {
  std::vector<DaemonNodeView> nodes = {eligible("a", {old_pod("a1")}), eligible("b", {old_pod("b1")}),
                                       eligible("c", {old_pod("c1"), new_pod("c2", true)})};
  auto plan = plan_daemon_pods(nodes, DaemonRollout{true, 0, 1});
  EXPECT_EQ(plan.delete_pods, std::vector<std::string>{"c1"});  // its replacement is available
  EXPECT_EQ(plan.create_on.size(), 1u);                          // one surge pod at a time
}

TEST(DaemonSetRollout, OnDeleteLeavesOldPods) {
  auto plan = plan_daemon_pods({eligible("a", {old_pod("a1")})}, DaemonRollout{false, 1, 0});
  EXPECT_TRUE(plan.delete_pods.empty());
  EXPECT_TRUE(plan.create_on.empty());
}

TEST(DaemonSetRollout, PercentagesRoundUpAndNeverBothZero) {
  skiff::api::meta::v1::IntOrString ten_percent;
  ten_percent.set_type(1);
  ten_percent.set_str_val("10%");
  EXPECT_EQ(daemon_rollout(&ten_percent, nullptr, true, 15).max_unavailable, 2);
  skiff::api::meta::v1::IntOrString zero;
  EXPECT_EQ(daemon_rollout(&zero, &zero, true, 5).max_unavailable, 1);
}

}  // namespace
