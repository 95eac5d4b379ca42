// Liveness, readiness and startup probes (exec, against runtime-sim's simulated files) as
// the pod syncer acts on them: Ready follows readiness, a failed liveness or startup probe
// restarts the container, and a startup probe holds the others until it passes.
#include <gtest/gtest.h>

#include "kubelet_harness.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;

class KubeletProbing : public KubeletSuite {};

// An exec probe of `command`, every second, giving up (or passing) after one result.
core::Probe exec_probe(const std::vector<std::string>& command, int failure_threshold = 1) {
  core::Probe p;
  *p.mutable_exec() = exec_action(command);
  p.set_period_seconds(1);
  p.set_failure_threshold(failure_threshold);
  p.set_success_threshold(1);
  return p;
}

const core::ContainerStatus& main_status(const core::Pod& pod) { return pod.status().container_statuses(0); }

bool ready(const core::Pod& p) {
  return p.status().container_statuses_size() == 1 && main_status(p).ready() && condition(p, "Ready") == "True";
}

TEST_F(KubeletProbing, ReadyFollowsTheReadinessProbeWithoutRestarts) {
  core::Pod pod = pod_named("readiness");
  auto& main = *pod.mutable_spec()->mutable_containers(0);
  set_env(main, "SIM_FILES", "/tmp/ready");
  *main.mutable_readiness_probe() = exec_probe({"cat", "/tmp/ready"});
  pod = kubelet_.create(pod);

  ASSERT_TRUE(kubelet_.sync_until("readiness", ready)) << kubelet_.get("readiness").DebugString();
  ASSERT_EQ(kubelet_.exec(pod, "main", {"rm", "/tmp/ready"}), 0);
  ASSERT_TRUE(kubelet_.sync_until("readiness", [](const core::Pod& p) {
    return !main_status(p).ready() && condition(p, "Ready") == "False" && condition(p, "ContainersReady") == "False";
  })) << kubelet_.get("readiness").DebugString();
  core::Pod now = kubelet_.get("readiness");
  EXPECT_EQ(now.status().phase(), "Running");
  EXPECT_TRUE(now.status().container_statuses(0).state().has_running());

  ASSERT_EQ(kubelet_.exec(pod, "main", {"touch", "/tmp/ready"}), 0);
  ASSERT_TRUE(kubelet_.sync_until("readiness", ready));
  EXPECT_EQ(main_status(kubelet_.get("readiness")).restart_count(), 0) << "readiness never restarts";
  EXPECT_EQ(kubelet_.attempts(pod, "main").size(), 1u);
}

TEST_F(KubeletProbing, AFailingLivenessProbeRestartsTheContainer) {
  core::Pod pod = pod_named("liveness");
  auto& main = *pod.mutable_spec()->mutable_containers(0);
  set_env(main, "SIM_FILES", "/tmp/healthy");
  *main.mutable_liveness_probe() = exec_probe({"cat", "/tmp/healthy"});
  pod = kubelet_.create(pod);

  ASSERT_TRUE(kubelet_.sync_until("liveness", ready)) << kubelet_.get("liveness").DebugString();
  std::string first = kubelet_.attempts(pod, "main").back().id();
  ASSERT_EQ(kubelet_.exec(pod, "main", {"rm", "/tmp/healthy"}), 0);

  // Restarted: the new attempt starts with its files again, so it stays.
  ASSERT_TRUE(kubelet_.sync_until("liveness", [](const core::Pod& p) {
    return main_status(p).restart_count() == 1 && ready(p);
  })) << kubelet_.get("liveness").DebugString();
  core::Pod now = kubelet_.get("liveness");
  EXPECT_EQ(main_status(now).last_state().terminated().exit_code(), 143) << "stopped with SIGTERM and a grace period";
  EXPECT_EQ(main_status(now).last_state().terminated().container_id(), "sim://" + first)
      << "ids carry the runtime's own name";
  EXPECT_TRUE(wait_until([&] {
    for (const auto& e : kubelet_.events("liveness", "Killing"))
      if (e.message() == "Container main failed liveness probe, will be restarted") return true;
    return false;
  })) << "no Killing event";
}

TEST_F(KubeletProbing, AStartupProbeHoldsReadinessAndLivenessUntilItPasses) {
  core::Pod pod = pod_named("startup");
  auto& main = *pod.mutable_spec()->mutable_containers(0);
  *main.mutable_startup_probe() = exec_probe({"test", "-e", "/tmp/started"}, 60);
  *main.mutable_readiness_probe() = exec_probe({"true"});
  // Would kill it at once if it ran before the startup probe passed.
  *main.mutable_liveness_probe() = exec_probe({"cat", "/tmp/started"});
  pod = kubelet_.create(pod);

  ASSERT_TRUE(kubelet_.sync_until("startup", [](const core::Pod& p) {
    return p.status().container_statuses_size() == 1 && main_status(p).state().has_running();
  })) << kubelet_.get("startup").DebugString();
  // Not started, so not ready, and not killed: over a few more probe periods.
  auto still_starting = [&](const core::Pod& p) {
    EXPECT_FALSE(main_status(p).started());
    EXPECT_FALSE(main_status(p).ready());
    EXPECT_EQ(condition(p, "Ready"), "False");
    EXPECT_EQ(main_status(p).restart_count(), 0);
  };
  EXPECT_FALSE(kubelet_.sync_until("startup", [](const core::Pod&) { return false; }, 2500ms, still_starting));

  ASSERT_EQ(kubelet_.exec(pod, "main", {"touch", "/tmp/started"}), 0);
  ASSERT_TRUE(kubelet_.sync_until("startup", [](const core::Pod& p) { return main_status(p).started() && ready(p); }))
      << kubelet_.get("startup").DebugString();
  EXPECT_EQ(main_status(kubelet_.get("startup")).restart_count(), 0);
}

TEST_F(KubeletProbing, AStartupProbeThatGivesUpRestartsTheContainer) {
  core::Pod pod = pod_named("startup-fails");
  *pod.mutable_spec()->mutable_containers(0)->mutable_startup_probe() = exec_probe({"false"});
  pod = kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("startup-fails", [](const core::Pod& p) {
    return p.status().container_statuses_size() == 1 && main_status(p).restart_count() >= 1;
  })) << kubelet_.get("startup-fails").DebugString();
  EXPECT_FALSE(main_status(kubelet_.get("startup-fails")).ready());
}

}  // namespace
