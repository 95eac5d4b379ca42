// What an HPA does with a recommendation: the downscale stabilization window, Kubernetes'
// default and custom scaling policies over recent scale events, select policies, min/max,
// and the AbleToScale / ScalingLimited conditions that say why.
#include <gtest/gtest.h>

#include "hpa_behavior.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
using namespace std::chrono_literals;
namespace as = api::autoscaling::v2;

const WallTime t0 = WallTime(std::chrono::seconds(1'800'000'000));

std::string condition(const Normalized& n, const std::string& type) {
  for (const auto& c : n.conditions)
    if (c.type == type) return c.status + " " + c.reason;
  return "none";
}

void add_policy(as::HPAScalingRules* rules, const char* type, int value, int period) {
  auto* p = rules->add_policies();
  p->set_type(type);
  p->set_value(value);
  p->set_period_seconds(period);
}

// The API's defaults: up no window, max(4 pods, 100 %) per 15 s; down 300 s, 100 % per 15 s.
as::HorizontalPodAutoscalerBehavior default_behavior() {
  as::HorizontalPodAutoscalerBehavior b;
  b.mutable_scale_up()->set_stabilization_window_seconds(0);
  b.mutable_scale_up()->set_select_policy("Max");
  add_policy(b.mutable_scale_up(), "Pods", 4, 15);
  add_policy(b.mutable_scale_up(), "Percent", 100, 15);
  b.mutable_scale_down()->set_stabilization_window_seconds(300);
  b.mutable_scale_down()->set_select_policy("Max");
  add_policy(b.mutable_scale_down(), "Percent", 100, 15);
  return b;
}

TEST(HpaWithoutBehavior, ScaleDownWaitsForTheHighestRecommendationOfTheWindow) {
  ScalingHistory h;
  auto first = normalize_without_behavior(h, 5, {5, 1, 10}, 300s, t0);
  EXPECT_EQ(first.replicas, 5);
  EXPECT_EQ(condition(first, "AbleToScale"), "True ReadyForNewScale");
  EXPECT_EQ(condition(first, "ScalingLimited"), "False DesiredWithinRange");
  auto held = normalize_without_behavior(h, 2, {5, 1, 10}, 300s, t0 + 10s);
  EXPECT_EQ(held.replicas, 5);
  EXPECT_EQ(condition(held, "AbleToScale"), "True ScaleDownStabilized");
  // Once the 5 has left the window, the lower recommendations win.
  EXPECT_EQ(normalize_without_behavior(h, 2, {5, 1, 10}, 300s, t0 + 301s).replicas, 2);
}

TEST(HpaWithoutBehavior, AtMostDoublingOrFourAndWithinMinMax) {
  ScalingHistory h;
  auto fast = normalize_without_behavior(h, 10, {1, 1, 20}, 300s, t0);
  EXPECT_EQ(fast.replicas, 4);  // max(2 × 1, 4)
  EXPECT_EQ(condition(fast, "ScalingLimited"), "True ScaleUpLimit");
  ScalingHistory h2;
  auto capped = normalize_without_behavior(h2, 12, {5, 1, 8}, 300s, t0);
  EXPECT_EQ(capped.replicas, 8);
  EXPECT_EQ(condition(capped, "ScalingLimited"), "True TooManyReplicas");
  ScalingHistory h3;
  auto floor = normalize_without_behavior(h3, 0, {3, 2, 8}, 0s, t0);
  EXPECT_EQ(floor.replicas, 2);
  EXPECT_EQ(condition(floor, "ScalingLimited"), "True TooFewReplicas");
}

TEST(HpaWithBehavior, DefaultScaleUpIsFourPodsOrDoublingPerFifteenSeconds) {
  ScalingHistory h;
  auto b = default_behavior();
  auto first = normalize_with_behavior(h, 10, {1, 1, 20}, b, t0);
  EXPECT_EQ(first.replicas, 5);  // max(1 + 4, 2 × 1)
  EXPECT_EQ(condition(first, "ScalingLimited"), "True ScaleUpLimit");
  record_scale_event(h, b, 1, 5, t0);
  // Within the same 15 s the period started at 1 replica: nothing more.
  EXPECT_EQ(normalize_with_behavior(h, 10, {5, 1, 20}, b, t0 + 5s).replicas, 5);
  // After it, from 5: max(9, 10).
  EXPECT_EQ(normalize_with_behavior(h, 10, {5, 1, 20}, b, t0 + 16s).replicas, 10);
}

TEST(HpaWithBehavior, SelectPolicyMinAndDisabled) {
  auto b = default_behavior();
  b.mutable_scale_up()->set_select_policy("Min");
  ScalingHistory h;
  EXPECT_EQ(normalize_with_behavior(h, 10, {1, 1, 20}, b, t0).replicas, 2);  // min(1 + 4, 2 × 1)
  b.mutable_scale_up()->set_select_policy("Disabled");
  ScalingHistory h2;
  auto disabled = normalize_with_behavior(h2, 10, {3, 1, 20}, b, t0);
  EXPECT_EQ(disabled.replicas, 3);
  EXPECT_EQ(condition(disabled, "ScalingLimited"), "True ScaleUpLimit");
}

TEST(HpaWithBehavior, ScaleDownPoliciesCountRecentEvents) {
  as::HorizontalPodAutoscalerBehavior b = default_behavior();
  b.mutable_scale_down()->set_stabilization_window_seconds(0);
  b.mutable_scale_down()->clear_policies();
  add_policy(b.mutable_scale_down(), "Pods", 1, 60);
  ScalingHistory h;
  auto first = normalize_with_behavior(h, 1, {5, 1, 10}, b, t0);
  EXPECT_EQ(first.replicas, 4);
  EXPECT_EQ(condition(first, "ScalingLimited"), "True ScaleDownLimit");
  record_scale_event(h, b, 5, 4, t0);
  EXPECT_EQ(normalize_with_behavior(h, 1, {4, 1, 10}, b, t0 + 10s).replicas, 4);  // one pod per minute
  EXPECT_EQ(normalize_with_behavior(h, 1, {4, 1, 10}, b, t0 + 61s).replicas, 3);
  // Percent rounds down what may stay: 50 % of 3 leaves 1.
  b.mutable_scale_down()->clear_policies();
  add_policy(b.mutable_scale_down(), "Percent", 50, 60);
  ScalingHistory h2;
  EXPECT_EQ(scale_down_limit(3, h2, b.scale_down(), t0), 1);
}

TEST(HpaWithBehavior, StabilizationWindowsInBothDirections) {
  auto b = default_behavior();
  b.mutable_scale_up()->set_stabilization_window_seconds(60);
  ScalingHistory h;
  normalize_with_behavior(h, 2, {2, 1, 10}, b, t0);
  auto up = normalize_with_behavior(h, 6, {2, 1, 10}, b, t0 + 10s);
  EXPECT_EQ(up.replicas, 2);  // the lowest recommendation of the last minute
  EXPECT_EQ(condition(up, "AbleToScale"), "True ScaleUpStabilized");
  // The scale-down window (300 s) keeps the 6 of t0 + 10 s.
  auto down = normalize_with_behavior(h, 1, {6, 1, 10}, b, t0 + 100s);
  EXPECT_EQ(down.replicas, 6);
  EXPECT_EQ(condition(down, "AbleToScale"), "True ScaleDownStabilized");
}

TEST(HpaWithBehavior, MaxAndMinStillBound) {
  auto b = default_behavior();
  ScalingHistory h;
  auto capped = normalize_with_behavior(h, 9, {4, 1, 6}, b, t0);
  EXPECT_EQ(capped.replicas, 6);
  EXPECT_EQ(condition(capped, "ScalingLimited"), "True TooManyReplicas");
  b.mutable_scale_down()->set_stabilization_window_seconds(0);
  ScalingHistory h2;
  auto floor = normalize_with_behavior(h2, 1, {4, 3, 6}, b, t0);
  EXPECT_EQ(floor.replicas, 3);
  EXPECT_EQ(condition(floor, "ScalingLimited"), "True TooFewReplicas");
}

}  // namespace
