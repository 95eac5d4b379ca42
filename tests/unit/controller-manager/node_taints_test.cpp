// Node lifecycle decisions: tolerations against taints, eviction delays, condition taints and
// the conditions of a node gone silent.
#include <gtest/gtest.h>

#include "node_taints.hpp"
#include "pod_builder.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using controllers::kNotReadyTaint;
using controllers::kUnreachableTaint;
using test::PodBuilder;
namespace core = api::core::v1;

core::Taint taint(const std::string& key, const std::string& effect, const std::string& value = "",
                  const std::string& added = "") {
  core::Taint t;
  t.set_key(key);
  t.set_effect(effect);
  t.set_value(value);
  t.set_time_added(added);
  return t;
}

core::Toleration toleration(const std::string& key, const std::string& op, const std::string& value = "",
                            const std::string& effect = "") {
  core::Toleration t;
  t.set_key(key);
  t.set_operator_(op);
  t.set_value(value);
  t.set_effect(effect);
  return t;
}

TEST(Tolerations, MatchAsKubernetesToleratesTaint) {
  auto gpu = taint("gpu", "NoExecute", "yes");
  EXPECT_TRUE(controllers::tolerates(toleration("", "Exists"), gpu)) << "an empty key with Exists tolerates everything";
  EXPECT_TRUE(controllers::tolerates(toleration("gpu", "Exists"), gpu));
  EXPECT_FALSE(controllers::tolerates(toleration("cpu", "Exists"), gpu));
  EXPECT_TRUE(controllers::tolerates(toleration("gpu", "Equal", "yes"), gpu));
  EXPECT_FALSE(controllers::tolerates(toleration("gpu", "Equal", "no"), gpu));
  EXPECT_TRUE(controllers::tolerates(toleration("gpu", "", "yes"), gpu)) << "an empty operator means Equal";
  EXPECT_TRUE(controllers::tolerates(toleration("gpu", "Exists", "", "NoExecute"), gpu));
  EXPECT_FALSE(controllers::tolerates(toleration("gpu", "Exists", "", "NoSchedule"), gpu));
  EXPECT_FALSE(controllers::tolerates(toleration("gpu", "Sometimes", "yes"), gpu)) << "an unknown operator tolerates nothing";
}

TEST(EvictionDelay, TolerationSecondsOrForEver) {
  auto t = taint(kUnreachableTaint, "NoExecute");
  auto limited = PodBuilder("p").toleration(kUnreachableTaint, "Exists", "NoExecute", 30).build();
  EXPECT_EQ(controllers::eviction_delay(limited, t, 300s), std::optional<std::chrono::milliseconds>(30s));
  auto forever = PodBuilder("p").toleration(kUnreachableTaint, "Exists", "NoExecute").build();
  EXPECT_EQ(controllers::eviction_delay(forever, t, 300s), std::nullopt);
  auto negative = PodBuilder("p").toleration("", "Exists", "", -5).build();
  EXPECT_EQ(controllers::eviction_delay(negative, t, 300s), std::optional<std::chrono::milliseconds>(0s));
}

TEST(EvictionDelay, TheFirstMatchingTolerationDecides) {
  auto pod = PodBuilder("p")
                 .toleration("other", "Exists", "NoExecute")
                 .toleration(kNotReadyTaint, "Exists", "NoExecute", 60)
                 .toleration("", "Exists", "")
                 .build();
  EXPECT_EQ(controllers::eviction_delay(pod, taint(kNotReadyTaint, "NoExecute"), 300s),
            std::optional<std::chrono::milliseconds>(60s));
}

TEST(EvictionDelay, NodeConditionTaintsGetTheDefaultOthersEvictAtOnce) {
  auto plain = PodBuilder("p").build();
  EXPECT_EQ(controllers::eviction_delay(plain, taint(kUnreachableTaint, "NoExecute"), 300s),
            std::optional<std::chrono::milliseconds>(300s));
  EXPECT_EQ(controllers::eviction_delay(plain, taint(kNotReadyTaint, "NoExecute"), 300s),
            std::optional<std::chrono::milliseconds>(300s));
  // `kubectl taint node n1 dedicated=db:NoExecute`: a pod that does not tolerate it goes now.
  EXPECT_EQ(controllers::eviction_delay(plain, taint("dedicated", "NoExecute", "db"), 300s),
            std::optional<std::chrono::milliseconds>(0s));
}

core::Node node_with(std::initializer_list<core::Taint> taints) {
  core::Node node;
  node.mutable_metadata()->set_name("n1");
  node.mutable_metadata()->set_creation_timestamp("2026-01-01T00:00:00Z");
  for (const auto& t : taints) *node.mutable_spec()->add_taints() = t;
  return node;
}

std::vector<std::string> keys_and_effects(const google::protobuf::RepeatedPtrField<core::Taint>& taints) {
  std::vector<std::string> out;
  for (const auto& t : taints) out.push_back(t.key() + ":" + t.effect() + "@" + t.time_added());
  return out;
}

TEST(ConditionTaints, AnUnreachableNodeGetsBothEffectsAndKeepsOtherTaints) {
  auto node = node_with({taint("dedicated", "NoSchedule", "db", "t0")});
  auto taints = controllers::condition_taints(node, true, false, "t1");
  ASSERT_TRUE(taints);
  EXPECT_EQ(keys_and_effects(*taints),
            (std::vector<std::string>{"dedicated:NoSchedule@t0", std::string(kUnreachableTaint) + ":NoSchedule@t1",
                                      std::string(kUnreachableTaint) + ":NoExecute@t1"}));
}

TEST(ConditionTaints, NothingToChangeGivesNothing) {
  auto node = node_with({taint(kUnreachableTaint, "NoSchedule", "", "t0"), taint(kUnreachableTaint, "NoExecute", "", "t0")});
  EXPECT_FALSE(controllers::condition_taints(node, true, false, "t1"));
  EXPECT_FALSE(controllers::condition_taints(node_with({}), false, false, "t1"));
}

TEST(ConditionTaints, ATaintAlreadyThereKeepsItsTimeAdded) {
  auto node = node_with({taint(kUnreachableTaint, "NoExecute", "", "t0")});
  auto taints = controllers::condition_taints(node, true, false, "t1");
  ASSERT_TRUE(taints);
  EXPECT_EQ(keys_and_effects(*taints), (std::vector<std::string>{std::string(kUnreachableTaint) + ":NoSchedule@t1",
                                                                 std::string(kUnreachableTaint) + ":NoExecute@t0"}));
}

TEST(ConditionTaints, NotReadySwapsForUnreachableAndRecoveryRemovesBoth) {
  auto unreachable = node_with({taint(kUnreachableTaint, "NoSchedule", "", "t0"), taint(kUnreachableTaint, "NoExecute", "", "t0")});
  auto not_ready = controllers::condition_taints(unreachable, false, true, "t1");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(keys_and_effects(*not_ready), (std::vector<std::string>{std::string(kNotReadyTaint) + ":NoSchedule@t1",
                                                                    std::string(kNotReadyTaint) + ":NoExecute@t1"}));
  // Unreachable wins when both hold.
  EXPECT_FALSE(controllers::condition_taints(unreachable, true, true, "t1"));
  auto recovered = controllers::condition_taints(unreachable, false, false, "t1");
  ASSERT_TRUE(recovered);
  EXPECT_TRUE(recovered->empty());
}

const core::NodeCondition* condition(const core::Node& node, const std::string& type) {
  for (const auto& c : node.status().conditions())
    if (c.type() == type) return &c;
  return nullptr;
}

TEST(MarkConditionsUnknown, ReadyAndPressureTurnUnknownOthersStay) {
  auto node = node_with({});
  for (auto [type, status] : {std::pair{"Ready", "True"}, std::pair{"MemoryPressure", "Unknown"},
                              std::pair{"NetworkUnavailable", "False"}}) {
    auto* c = node.mutable_status()->add_conditions();
    c->set_type(type);
    c->set_status(status);
    c->set_reason("Before");
    c->set_last_transition_time("t0");
    c->set_last_heartbeat_time("h0");
  }
  controllers::mark_conditions_unknown(node, "t1");
  const auto* ready = condition(node, "Ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status(), "Unknown");
  EXPECT_EQ(ready->reason(), "NodeStatusUnknown");
  EXPECT_EQ(ready->message(), "Kubelet stopped posting node status.");
  EXPECT_EQ(ready->last_transition_time(), "t1");
  EXPECT_EQ(ready->last_heartbeat_time(), "h0") << "the last heartbeat is what it was";
  // Already Unknown: untouched.
  EXPECT_EQ(condition(node, "MemoryPressure")->reason(), "Before");
  EXPECT_EQ(condition(node, "MemoryPressure")->last_transition_time(), "t0");
  // Not one of the kubelet's health conditions: untouched.
  EXPECT_EQ(condition(node, "NetworkUnavailable")->status(), "False");
  // Never reported: added as never updated, heartbeat at the node's creation.
  for (const char* type : {"DiskPressure", "PIDPressure"}) {
    const auto* c = condition(node, type);
    ASSERT_TRUE(c) << type;
    EXPECT_EQ(c->status(), "Unknown");
    EXPECT_EQ(c->reason(), "NodeStatusNeverUpdated");
    EXPECT_EQ(c->message(), "Kubelet never posted node status.");
    EXPECT_EQ(c->last_heartbeat_time(), "2026-01-01T00:00:00Z");
    EXPECT_EQ(c->last_transition_time(), "t1");
  }
}

}  // namespace
