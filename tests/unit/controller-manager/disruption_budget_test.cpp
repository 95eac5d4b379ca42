// The disruption controller's arithmetic against Kubernetes' rules: expected pods from the
// controllers' scale, desired healthy from minAvailable/maxUnavailable (numbers or percentages
// rounded up), granted disruptions counted until confirmed or expired, and the condition.
#include <gtest/gtest.h>

#include "disruption_budget.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
namespace core = api::core::v1;
namespace policy = api::policy::v1;
using Clock = std::chrono::system_clock;
using PodPtr = std::shared_ptr<const core::Pod>;

PodPtr pod(const std::string& name, bool ready, const std::string& owner_uid = "rs-1") {
  auto p = std::make_shared<core::Pod>();
  p->mutable_metadata()->set_name(name);
  p->mutable_metadata()->set_namespace_("default");
  (*p->mutable_metadata()->mutable_labels())["app"] = "web";
  if (!owner_uid.empty()) {
    auto* ref = p->mutable_metadata()->add_owner_references();
    ref->set_api_version("apps/v1");
    ref->set_kind("ReplicaSet");
    ref->set_name("web-rs");
    ref->set_uid(owner_uid);
    ref->set_controller(true);
  }
  p->mutable_status()->set_phase("Running");
  auto* c = p->mutable_status()->add_conditions();
  c->set_type("Ready");
  c->set_status(ready ? "True" : "False");
  return p;
}

policy::PodDisruptionBudget budget(const std::string& min_available, const std::string& max_unavailable = "") {
  policy::PodDisruptionBudget pdb;
  pdb.mutable_metadata()->set_name("web");
  pdb.mutable_metadata()->set_namespace_("default");
  pdb.mutable_metadata()->set_generation(2);
  (*pdb.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto set = [](api::meta::v1::IntOrString* v, const std::string& text) {
    if (text.back() == '%') {
      v->set_type(1);
      v->set_str_val(text);
    } else {
      v->set_int_val(std::stoi(text));
    }
  };
  if (!min_available.empty()) set(pdb.mutable_spec()->mutable_min_available(), min_available);
  if (!max_unavailable.empty()) set(pdb.mutable_spec()->mutable_max_unavailable(), max_unavailable);
  return pdb;
}

// Every pod's controller has this scale.
ScaleLookup scale(int replicas) {
  return [replicas](const std::string&, const api::meta::v1::OwnerReference& ref) -> std::optional<ControllerScale> {
    return ControllerScale{ref.uid(), replicas};
  };
}

BudgetVerdict run(const policy::PodDisruptionBudget& pdb, const std::vector<PodPtr>& pods, int replicas = 3) {
  return compute_budget(pdb, pods, scale(replicas), Clock::now());
}

const api::meta::v1::Condition& allowed_condition(const BudgetVerdict& v) { return v.status.conditions(0); }

TEST(DisruptionBudget, MinAvailableNumberCountsTheSelectedPods) {
  auto v = run(budget("2"), {pod("a", true), pod("b", true), pod("c", true)});
  EXPECT_EQ(v.status.expected_pods(), 3);
  EXPECT_EQ(v.status.desired_healthy(), 2);
  EXPECT_EQ(v.status.current_healthy(), 3);
  EXPECT_EQ(v.status.disruptions_allowed(), 1);
  EXPECT_EQ(v.status.observed_generation(), 2);
  EXPECT_EQ(allowed_condition(v).type(), "DisruptionAllowed");
  EXPECT_EQ(allowed_condition(v).status(), "True");
  EXPECT_EQ(allowed_condition(v).reason(), "SufficientPods");
}

TEST(DisruptionBudget, UnreadyAndTerminatingPodsAreNotHealthy) {
  auto terminating = std::make_shared<core::Pod>(*pod("c", true));
  terminating->mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
  auto v = run(budget("2"), {pod("a", true), pod("b", false), terminating});
  EXPECT_EQ(v.status.current_healthy(), 1);
  EXPECT_EQ(v.status.disruptions_allowed(), 0);
  EXPECT_EQ(allowed_condition(v).status(), "False");
  EXPECT_EQ(allowed_condition(v).reason(), "InsufficientPods");
}

TEST(DisruptionBudget, PercentagesUseTheControllersScaleRoundedUp) {
  // minAvailable 50% of 5 replicas: 3 (2.5 rounded up); only 4 pods exist so far.
  auto pods = std::vector<PodPtr>{pod("a", true), pod("b", true), pod("c", true), pod("d", true)};
  auto v = run(budget("50%"), pods, 5);
  EXPECT_EQ(v.status.expected_pods(), 5);
  EXPECT_EQ(v.status.desired_healthy(), 3);
  EXPECT_EQ(v.status.disruptions_allowed(), 1);
  // maxUnavailable 30% of 5: 2 (1.5 rounded up), so 3 must stay healthy.
  v = run(budget("", "30%"), pods, 5);
  EXPECT_EQ(v.status.desired_healthy(), 3);
  EXPECT_EQ(v.status.disruptions_allowed(), 1);
  // maxUnavailable 1 of 3.
  v = run(budget("", "1"), {pod("a", true), pod("b", true), pod("c", true)}, 3);
  EXPECT_EQ(v.status.desired_healthy(), 2);
  EXPECT_EQ(v.status.disruptions_allowed(), 1);
}

TEST(DisruptionBudget, OneControllerCountsOnceAndUnmanagedPodsAreReported) {
  auto v = run(budget("", "1"), {pod("a", true), pod("b", true), pod("bare", true, "")}, 2);
  EXPECT_EQ(v.status.expected_pods(), 2);
  EXPECT_EQ(v.unmanaged_pods, 1);
}

TEST(DisruptionBudget, AnUnknownControllerFailsSafe) {
  ScaleLookup none = [](const std::string&, const api::meta::v1::OwnerReference&) -> std::optional<ControllerScale> {
    return std::nullopt;
  };
  auto v = compute_budget(budget("50%"), {pod("a", true), pod("b", true)}, none, Clock::now());
  EXPECT_EQ(v.failure, "found no controllers for pod \"a\"");
  EXPECT_EQ(v.status.disruptions_allowed(), 0);
  EXPECT_EQ(allowed_condition(v).reason(), "SyncFailed");
}

TEST(DisruptionBudget, GrantedDisruptionsCountUntilThePodGoesOrTheyExpire) {
  auto now = Clock::now();
  auto pdb = budget("2");
  auto& disrupted = *pdb.mutable_status()->mutable_disrupted_pods();
  disrupted["a"] = sdk::format_rfc3339(now - std::chrono::seconds(10));   // pending: a is not healthy
  disrupted["b"] = sdk::format_rfc3339(now - std::chrono::seconds(600));  // expired: b counts again
  disrupted["gone"] = sdk::format_rfc3339(now);                           // confirmed: dropped
  auto v = compute_budget(pdb, {pod("a", true), pod("b", true), pod("c", true)}, scale(3), now);
  EXPECT_EQ(v.status.disrupted_pods_size(), 1);
  EXPECT_TRUE(v.status.disrupted_pods().count("a"));
  EXPECT_EQ(v.status.current_healthy(), 2);
  EXPECT_EQ(v.status.disruptions_allowed(), 0);
  ASSERT_TRUE(v.recheck_in);
  EXPECT_LE(*v.recheck_in, kDisruptionTimeout - std::chrono::seconds(9));
}

TEST(DisruptionBudget, NoPodsNoDisruptions) {
  auto v = run(budget("", "1"), {});
  EXPECT_EQ(v.status.expected_pods(), 0);
  EXPECT_EQ(v.status.disruptions_allowed(), 0);
}

TEST(DisruptionBudget, SelectionNeedsASelectorAndTheNamespace) {
  auto pdb = budget("1");
  EXPECT_TRUE(budget_selects(pdb, *pod("a", true)));
  auto other = std::make_shared<core::Pod>(*pod("a", true));
  other->mutable_metadata()->set_namespace_("other");
  EXPECT_FALSE(budget_selects(pdb, *other));
  pdb.mutable_spec()->clear_selector();
  EXPECT_FALSE(budget_selects(pdb, *pod("a", true)));
  pdb.mutable_spec()->mutable_selector();  // {} selects every pod
  EXPECT_TRUE(budget_selects(pdb, *pod("a", true)));
}

TEST(DisruptionBudget, TheConditionKeepsItsTransitionTime) {
  auto pdb = budget("1");
  auto* c = pdb.mutable_status()->add_conditions();
  c->set_type("DisruptionAllowed");
  c->set_status("True");
  c->set_last_transition_time("2026-01-01T00:00:00Z");
  auto v = run(pdb, {pod("a", true), pod("b", true)});
  EXPECT_EQ(allowed_condition(v).last_transition_time(), "2026-01-01T00:00:00Z");
}

}  // namespace
