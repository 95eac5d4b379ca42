// Init containers: in order, one at a time, all done before the app containers start; a
// failed one fails the pod under restartPolicy Never and is retried under Always.
#include <gtest/gtest.h>

#include "container_attempts.hpp"
#include "kubelet_harness.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace rt = runtime::v1;

class KubeletInitContainers : public KubeletSuite {};

// An init container that exits with `code` once it has run for `run_for`.
core::Container init_container(const std::string& name, int code, const std::string& run_for = "0s") {
  core::Container c;
  c.set_name(name);
  c.set_image("busybox:1.36");
  set_env(c, "SIM_EXIT_CODE", std::to_string(code));
  set_env(c, "SIM_EXIT_AFTER", run_for);
  return c;
}

const core::ContainerStatus* status_of(const google::protobuf::RepeatedPtrField<core::ContainerStatus>& all,
                                       const std::string& name) {
  for (const auto& cs : all)
    if (cs.name() == name) return &cs;
  return nullptr;
}

sdk::WallClock::time_point at(const std::string& rfc3339) { return sdk::parse_rfc3339(rfc3339).value(); }

TEST_F(KubeletInitContainers, RunInOrderOneAtATimeBeforeTheAppContainers) {
  core::Pod pod = pod_named("init-order");
  *pod.mutable_spec()->add_init_containers() = init_container("first", 0, "150ms");
  *pod.mutable_spec()->add_init_containers() = init_container("second", 0, "150ms");
  pod = kubelet_.create(pod);

  // After every sync: nothing starts before the one before it has completed.
  auto one_at_a_time = [&](const core::Pod&) {
    auto first = kubelet_.attempts(pod, "first");
    auto second = kubelet_.attempts(pod, "second");
    auto main = kubelet_.attempts(pod, "main");
    auto completed = [](const std::vector<rt::ContainerStatus>& a) {
      return !a.empty() && a.back().state() == "EXITED" && a.back().exit_code() == 0;
    };
    if (!second.empty()) {
      EXPECT_TRUE(completed(first)) << "second started before first completed";
    }
    if (!main.empty()) {
      EXPECT_TRUE(completed(second)) << "main started before the init containers completed";
    }
    EXPECT_LE(first.size(), 1u);
    EXPECT_LE(second.size(), 1u);
  };
  bool pending_seen = false;
  auto watch_pending = [&](const core::Pod& p) {
    one_at_a_time(p);
    if (kubelet_.attempts(pod, "main").empty() && !kubelet_.attempts(pod, "first").empty()) {
      EXPECT_EQ(p.status().phase(), "Pending");
      EXPECT_EQ(condition(p, "Initialized"), "False");
      pending_seen = true;
    }
  };
  ASSERT_TRUE(kubelet_.sync_until("init-order", [](const core::Pod& p) {
    return p.status().phase() == "Running" && condition(p, "Ready") == "True";
  }, 20s, watch_pending)) << kubelet_.get("init-order").DebugString();
  EXPECT_TRUE(pending_seen);

  // The runtime's own clock agrees: each started after the one before it finished.
  auto first = kubelet_.attempts(pod, "first");
  auto second = kubelet_.attempts(pod, "second");
  auto main = kubelet_.attempts(pod, "main");
  ASSERT_TRUE(!first.empty() && !second.empty() && !main.empty());
  EXPECT_GE(at(second.back().started_at()), at(first.back().finished_at()));
  EXPECT_GE(at(main.back().started_at()), at(second.back().finished_at()));

  core::Pod now = kubelet_.get("init-order");
  EXPECT_EQ(condition(now, "Initialized"), "True");
  ASSERT_EQ(now.status().init_container_statuses_size(), 2);
  for (const auto* name : {"first", "second"}) {
    const auto* cs = status_of(now.status().init_container_statuses(), name);
    ASSERT_NE(cs, nullptr) << name;
    EXPECT_EQ(cs->state().terminated().reason(), "Completed") << name;
    EXPECT_EQ(cs->state().terminated().exit_code(), 0) << name;
    EXPECT_TRUE(cs->ready()) << name;
    EXPECT_EQ(cs->restart_count(), 0) << name;
  }
}

TEST_F(KubeletInitContainers, AFailureFailsThePodUnderRestartPolicyNever) {
  core::Pod pod = pod_named("init-never");
  pod.mutable_spec()->set_restart_policy("Never");
  *pod.mutable_spec()->add_init_containers() = init_container("setup", 3);
  *pod.mutable_spec()->add_init_containers() = init_container("after", 0);
  pod = kubelet_.create(pod);

  ASSERT_TRUE(kubelet_.sync_until("init-never", [](const core::Pod& p) { return p.status().phase() == "Failed"; }))
      << kubelet_.get("init-never").DebugString();
  core::Pod now = kubelet_.get("init-never");
  EXPECT_EQ(condition(now, "Initialized"), "False");
  const auto* setup = status_of(now.status().init_container_statuses(), "setup");
  ASSERT_NE(setup, nullptr);
  EXPECT_EQ(setup->state().terminated().exit_code(), 3);
  EXPECT_EQ(setup->state().terminated().reason(), "Error");
  EXPECT_EQ(setup->restart_count(), 0);

  // A failed pod stays as it is: more syncs start nothing.
  for (int i = 0; i < 5; ++i) kubelet_.sync("init-never");
  EXPECT_EQ(kubelet_.attempts(pod, "setup").size(), 1u);
  EXPECT_TRUE(kubelet_.attempts(pod, "after").empty());
  EXPECT_TRUE(kubelet_.attempts(pod, "main").empty());
}

TEST_F(KubeletInitContainers, AFailureIsRetriedWithBackOffUnderRestartPolicyAlways) {
  core::Pod pod = pod_named("init-always");
  *pod.mutable_spec()->add_init_containers() = init_container("setup", 1);
  pod = kubelet_.create(pod);

  bool backing_off = false;
  auto watch = [&](const core::Pod& p) {
    EXPECT_EQ(p.status().phase(), "Pending");
    EXPECT_TRUE(kubelet_.attempts(pod, "main").empty()) << "the app container started after a failed init container";
    const auto* setup = status_of(p.status().init_container_statuses(), "setup");
    if (setup && setup->state().waiting().reason() == "CrashLoopBackOff") backing_off = true;
  };
  ASSERT_TRUE(kubelet_.sync_until("init-always", [](const core::Pod& p) {
    return p.status().init_container_statuses_size() == 1 && p.status().init_container_statuses(0).restart_count() >= 3;
  }, 20s, watch)) << kubelet_.get("init-always").DebugString();
  EXPECT_TRUE(backing_off) << "the retries never waited out a back-off";
  auto attempts = kubelet_.attempts(pod, "setup");
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_EQ(kubelet::attempt_of(attempts.back()), static_cast<int>(attempts.size()) - 1);
}

}  // namespace
