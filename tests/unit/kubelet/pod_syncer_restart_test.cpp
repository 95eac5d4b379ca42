// Restart policies with exit codes, CrashLoopBackOff's growing back-off, and containers or
// sandboxes lost behind the kubelet's back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <ostream>

#include "container_attempts.hpp"
#include "container_spec.hpp"
#include "kubelet_harness.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace rt = runtime::v1;

class KubeletRestarts : public KubeletSuite {};

// A pod whose container exits with `code` as soon as it starts.
core::Pod exiting_pod(const std::string& name, const std::string& policy, int code) {
  core::Pod pod = pod_named(name);
  pod.mutable_spec()->set_restart_policy(policy);
  set_env(*pod.mutable_spec()->mutable_containers(0), "SIM_EXIT_CODE", std::to_string(code));
  return pod;
}

struct PolicyCase {
  std::string policy;
  int exit_code;
  bool restarted;
  std::string phase;  // once it has exited (and, if restarted, come back)
};

// Names the case in test names ("Never_exit1").
std::string name_of(const PolicyCase& c) { return c.policy + "_exit" + std::to_string(c.exit_code); }
std::ostream& operator<<(std::ostream& out, const PolicyCase& c) { return out << name_of(c); }

class KubeletRestartPolicy : public KubeletRestarts, public ::testing::WithParamInterface<PolicyCase> {};

TEST_P(KubeletRestartPolicy, DecidesOnTheExitCode) {
  const PolicyCase& c = GetParam();
  std::string name = "policy-" + c.policy + "-" + std::to_string(c.exit_code);
  std::transform(name.begin(), name.end(), name.begin(), [](char ch) { return std::tolower(ch); });
  core::Pod pod = kubelet_.create(exiting_pod(name, c.policy, c.exit_code));

  if (c.restarted) {
    ASSERT_TRUE(kubelet_.sync_until(name, [](const core::Pod& p) {
      return p.status().container_statuses_size() == 1 && p.status().container_statuses(0).restart_count() >= 1;
    })) << kubelet_.get(name).DebugString();
    core::Pod now = kubelet_.get(name);
    EXPECT_EQ(now.status().phase(), c.phase);
    EXPECT_EQ(now.status().container_statuses(0).last_state().terminated().exit_code(), c.exit_code);
    return;
  }
  ASSERT_TRUE(kubelet_.sync_until(name, [&](const core::Pod& p) { return p.status().phase() == c.phase; }))
      << kubelet_.get(name).DebugString();
  for (int i = 0; i < 5; ++i) kubelet_.sync(name);  // a finished pod stays finished
  core::Pod now = kubelet_.get(name);
  EXPECT_EQ(now.status().phase(), c.phase);
  const auto& cs = now.status().container_statuses(0);
  EXPECT_EQ(cs.restart_count(), 0);
  EXPECT_EQ(cs.state().terminated().exit_code(), c.exit_code);
  EXPECT_EQ(cs.state().terminated().reason(), c.exit_code == 0 ? "Completed" : "Error");
  EXPECT_FALSE(cs.ready());
  EXPECT_EQ(condition(now, "Ready"), "False");
  EXPECT_EQ(kubelet_.attempts(pod, "main").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Policies, KubeletRestartPolicy,
                         ::testing::Values(PolicyCase{"Always", 0, true, "Running"},
                                           PolicyCase{"Always", 1, true, "Running"},
                                           PolicyCase{"OnFailure", 0, false, "Succeeded"},
                                           PolicyCase{"OnFailure", 2, true, "Running"},
                                           PolicyCase{"Never", 0, false, "Succeeded"},
                                           PolicyCase{"Never", 1, false, "Failed"}),
                         [](const auto& info) { return name_of(info.param); });

TEST_F(KubeletRestarts, ACrashingContainerBacksOffLongerEachTime) {
  core::Pod pod = kubelet_.create(exiting_pod("crash-loop", "Always", 1));
  std::map<int, sdk::WallClock::time_point> started;  // by attempt, as the runtime saw it
  bool backing_off = false;
  auto watch = [&](const core::Pod& p) {
    for (const auto& c : kubelet_.containers(pod))
      if (!c.started_at().empty()) started[kubelet::attempt_of(c)] = sdk::parse_rfc3339(c.started_at()).value();
    if (p.status().container_statuses_size() != 1) return;
    const auto& cs = p.status().container_statuses(0);
    if (cs.state().waiting().reason() != "CrashLoopBackOff") return;
    backing_off = true;
    EXPECT_NE(cs.state().waiting().message().find("restarting failed container=main pod=crash-loop_default("),
              std::string::npos) << cs.state().waiting().message();
    EXPECT_EQ(cs.last_state().terminated().exit_code(), 1);
    EXPECT_EQ(p.status().phase(), "Running");  // the policy brings it back
  };
  ASSERT_TRUE(kubelet_.sync_until("crash-loop", [&](const core::Pod&) { return started.count(4) > 0; }, 20s, watch))
      << kubelet_.get("crash-loop").DebugString();
  EXPECT_TRUE(backing_off);
  EXPECT_TRUE(wait_until([&] { return !kubelet_.events("crash-loop", "BackOff").empty(); })) << "no BackOff event";

  // The back-off doubles from 100ms up to 400ms; the next attempt never comes sooner (half
  // of it, for the moments between the kubelet's clock and the runtime's record).
  using std::chrono::milliseconds;
  for (auto [attempt, at_least] : {std::pair{2, milliseconds(50)}, {3, milliseconds(100)}, {4, milliseconds(200)}})
    EXPECT_GE(started[attempt] - started[attempt - 1], at_least) << "attempt " << attempt;

  // Only the attempt before the running one is kept (for `kubectl logs --previous`).
  auto attempts = kubelet_.attempts(pod, "main");
  ASSERT_FALSE(attempts.empty());
  EXPECT_LE(attempts.size(), 2u);
  EXPECT_GE(kubelet::attempt_of(attempts.front()), kubelet::attempt_of(attempts.back()) - 1);
}

TEST_F(KubeletRestarts, AContainerRemovedBehindItsBackStartsAgainAndCounts) {
  core::Pod pod = kubelet_.create(pod_named("removed"));
  ASSERT_TRUE(kubelet_.sync_until("removed", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }));
  auto first = kubelet_.attempts(pod, "main");
  ASSERT_EQ(first.size(), 1u);
  cluster_->runtime().remove_container(first.back().id());

  ASSERT_TRUE(kubelet_.sync_until("removed", [](const core::Pod& p) {
    return p.status().container_statuses(0).restart_count() == 1 && condition(p, "Ready") == "True";
  })) << kubelet_.get("removed").DebugString();
  auto now = kubelet_.attempts(pod, "main");
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now.back().id(), first.back().id());
  EXPECT_EQ(now.back().state(), "RUNNING");
}

TEST_F(KubeletRestarts, ALostSandboxIsReplacedAndItsContainersStartInTheNewOne) {
  core::Pod pod = kubelet_.create(pod_named("lost-sandbox"));
  ASSERT_TRUE(kubelet_.sync_until("lost-sandbox", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }));
  auto before = kubelet_.attempts(pod, "main").back();
  cluster_->runtime().stop_sandbox(before.sandbox_id());  // kills its containers too

  ASSERT_TRUE(kubelet_.sync_until("lost-sandbox", [&](const core::Pod& p) {
    auto now = kubelet_.attempts(pod, "main");
    return !now.empty() && now.back().sandbox_id() != before.sandbox_id() && now.back().state() == "RUNNING" &&
           condition(p, "Ready") == "True";
  })) << kubelet_.get("lost-sandbox").DebugString();
  auto sandboxes = cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}});
  ASSERT_EQ(sandboxes.size(), 1u) << "the dead sandbox was not removed";
  EXPECT_EQ(sandboxes[0].state(), "READY");
  core::Pod now = kubelet_.get("lost-sandbox");
  EXPECT_EQ(now.status().pod_ip(), sandboxes[0].ip());
  EXPECT_EQ(now.status().container_statuses(0).restart_count(), 1);
}

}  // namespace
