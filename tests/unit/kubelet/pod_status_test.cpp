// A pod's phase and conditions, and a container's terminated state, as Kubernetes words them.
#include <gtest/gtest.h>

#include "pod_status.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
namespace core = api::core::v1;
namespace rt = runtime::v1;
using Statuses = google::protobuf::RepeatedPtrField<core::ContainerStatus>;

core::ContainerStatus running() {
  core::ContainerStatus cs;
  cs.mutable_state()->mutable_running()->set_started_at("2024-05-01T10:00:00Z");
  return cs;
}

core::ContainerStatus terminated(int code) {
  core::ContainerStatus cs;
  cs.mutable_state()->mutable_terminated()->set_exit_code(code);
  return cs;
}

core::ContainerStatus waiting(const std::string& reason, int restarts = 0) {
  core::ContainerStatus cs;
  cs.mutable_state()->mutable_waiting()->set_reason(reason);
  cs.set_restart_count(restarts);
  return cs;
}

Statuses statuses(std::initializer_list<core::ContainerStatus> list) {
  Statuses out;
  for (const auto& cs : list) *out.Add() = cs;
  return out;
}

const core::PodCondition* find(const core::PodStatus& status, const std::string& type) {
  for (const auto& c : status.conditions())
    if (c.type() == type) return &c;
  return nullptr;
}

TEST(KubeletPodStatus, TimesAtTheApisPrecision) {
  EXPECT_EQ(rfc3339_seconds("2024-05-01T10:00:00.123456Z"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(rfc3339_seconds("2024-05-01T10:00:00Z"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(rfc3339_seconds(""), "");
}

TEST(KubeletPodStatus, TerminatedStateOfAnExitedContainer) {
  rt::ContainerStatus c;
  c.set_id("abc");
  c.set_exit_code(137);
  c.set_started_at("2024-05-01T10:00:00.5Z");
  c.set_finished_at("2024-05-01T10:00:09.999999Z");
  auto t = terminated_of(c, "docker");
  EXPECT_EQ(t.exit_code(), 137);
  EXPECT_EQ(t.reason(), "Error");
  EXPECT_EQ(t.started_at(), "2024-05-01T10:00:00Z");
  EXPECT_EQ(t.finished_at(), "2024-05-01T10:00:09Z");
  EXPECT_EQ(t.container_id(), "docker://abc");
  c.set_exit_code(0);
  EXPECT_EQ(terminated_of(c, "docker").reason(), "Completed");
  c.set_reason("OOMKilled");
  c.set_message("out of memory");
  EXPECT_EQ(terminated_of(c, "docker").reason(), "OOMKilled");  // the runtime's reason wins
  EXPECT_EQ(terminated_of(c, "docker").message(), "out of memory");
}

TEST(KubeletPodStatus, ContainerIdsNameTheirRuntime) {
  EXPECT_EQ(container_id_of("containerd", "abc"), "containerd://abc");
  EXPECT_EQ(container_id_of("", "abc"), "abc") << "a runtime that has not answered yet: the id alone";
}

TEST(KubeletPodStatus, PhaseAsKubernetesComputesIt) {
  EXPECT_EQ(pod_phase(statuses({running()}), "Always", true, false), "Running");
  EXPECT_EQ(pod_phase(statuses({running()}), "Always", false, false), "Pending");  // not initialized
  EXPECT_EQ(pod_phase(statuses({waiting("PodInitializing")}), "Never", false, true), "Failed");  // init failed
  EXPECT_EQ(pod_phase(statuses({running(), waiting("ContainerCreating")}), "Always", true, false), "Pending");
  // Waiting after it ran (back-off): it has started once.
  EXPECT_EQ(pod_phase(statuses({waiting("CrashLoopBackOff", 2)}), "Always", true, false), "Running");

  EXPECT_EQ(pod_phase(statuses({terminated(0), terminated(0)}), "Never", true, false), "Succeeded");
  EXPECT_EQ(pod_phase(statuses({terminated(0), terminated(1)}), "Never", true, false), "Failed");
  EXPECT_EQ(pod_phase(statuses({terminated(0), running()}), "Never", true, false), "Running");
  EXPECT_EQ(pod_phase(statuses({terminated(0)}), "OnFailure", true, false), "Succeeded");
  // One the policy brings back counts as running.
  EXPECT_EQ(pod_phase(statuses({terminated(1)}), "OnFailure", true, false), "Running");
  EXPECT_EQ(pod_phase(statuses({terminated(0)}), "Always", true, false), "Running");
  EXPECT_EQ(pod_phase(statuses({}), "Always", true, false), "Running");
}

TEST(KubeletPodStatus, ReadyOnlyWhenInitializedRunningAndEveryContainerReady) {
  core::PodStatus old;
  auto* scheduled = old.add_conditions();
  scheduled->set_type("PodScheduled");
  scheduled->set_status("True");
  scheduled->set_last_transition_time("2024-05-01T09:00:00Z");

  core::PodStatus status;
  status.set_phase("Running");
  *status.add_container_statuses() = running();
  status.mutable_container_statuses(0)->set_ready(true);
  *status.add_container_statuses() = running();
  status.mutable_container_statuses(1)->set_ready(false);
  add_conditions(status, old, true);
  ASSERT_EQ(status.conditions_size(), 4);
  EXPECT_EQ(find(status, "PodScheduled")->last_transition_time(), "2024-05-01T09:00:00Z");
  EXPECT_EQ(find(status, "Initialized")->status(), "True");
  EXPECT_EQ(find(status, "ContainersReady")->status(), "False");
  EXPECT_EQ(find(status, "ContainersReady")->reason(), "ContainersNotReady");
  EXPECT_EQ(find(status, "Ready")->status(), "False");

  status.mutable_container_statuses(1)->set_ready(true);
  status.clear_conditions();
  add_conditions(status, old, true);
  EXPECT_EQ(find(status, "Ready")->status(), "True");
  EXPECT_EQ(find(status, "Ready")->reason(), "");

  status.set_phase("Succeeded");  // ready containers, but not running any more
  status.clear_conditions();
  add_conditions(status, old, true);
  EXPECT_EQ(find(status, "Ready")->status(), "False");

  status.clear_conditions();
  add_conditions(status, old, false);
  EXPECT_EQ(find(status, "Initialized")->status(), "False");
  EXPECT_EQ(find(status, "Initialized")->reason(), "ContainersNotInitialized");
}

TEST(KubeletPodStatus, AConditionKeepsItsTransitionTimeUntilItChanges) {
  core::PodStatus old;
  for (const char* type : {"Initialized", "ContainersReady", "Ready"}) {
    auto* c = old.add_conditions();
    c->set_type(type);
    c->set_status("True");
    c->set_last_transition_time("2024-05-01T09:00:00Z");
  }
  core::PodStatus status;
  status.set_phase("Running");
  *status.add_container_statuses() = running();  // not ready: Ready flips to False
  add_conditions(status, old, true);
  EXPECT_EQ(find(status, "Initialized")->last_transition_time(), "2024-05-01T09:00:00Z");
  EXPECT_NE(find(status, "Ready")->last_transition_time(), "2024-05-01T09:00:00Z");
  EXPECT_FALSE(find(status, "Ready")->last_transition_time().empty());
  EXPECT_EQ(find(status, "PodScheduled"), nullptr) << "none before: none made up";
}

}  // namespace
