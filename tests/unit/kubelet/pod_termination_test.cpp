// A deleted pod's end: preStop, then every container stopped within the grace period, then
// its sandbox, volumes and API object gone; and leftovers of pods the API no longer has.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "container_spec.hpp"
#include "kubelet_harness.hpp"
#include "skiff/runtime/v1/runtime.pb.h"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace rt = runtime::v1;

class KubeletTermination : public KubeletSuite {
 protected:

  bool gone(const std::string& name) {
    try {
      kubelet_.get(name);
      return false;
    } catch (const sdk::Error& e) {
      return e.status().code == 404;
    }
  }
};

// What the kubelet asked the runtime, in the order it asked: listened to on the bus.
class RuntimeCalls {
 public:
  // One subscription on every runtime subject of the node: NATS keeps the order only within a
  // subscription (two would each deliver on their own and could swap exec and stop).
  explicit RuntimeCalls(SimCluster& cluster) {
    std::string exec = cluster.subjects().runtime_on(kNode, "exec");
    std::string stop = cluster.subjects().runtime_on(kNode, "stop_container");
    subscriptions_.push_back(cluster.bus().subscribe(cluster.subjects().runtime_on(kNode, "*"),
                                                     [this, exec, stop](const sdk::Message& m) {
                                                       if (m.subject != exec && m.subject != stop) return;
                                                       std::lock_guard lock(mutex_);
                                                       calls_.emplace_back(m.subject == exec ? "exec" : "stop_container",
                                                                           m.data);
                                                     }));
  }
  std::vector<std::pair<std::string, std::string>> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> calls_;  // op, request bytes
  std::vector<sdk::Subscription> subscriptions_;
};

TEST_F(KubeletTermination, PreStopThenAStopWithinTheGracePeriodThenTheObjectGoes) {
  core::Pod pod = pod_named("graceful");
  auto& main = *pod.mutable_spec()->mutable_containers(0);
  *main.mutable_lifecycle()->mutable_pre_stop()->mutable_exec() = exec_action({"touch", "/tmp/stopping"});
  auto* sidecar = pod.mutable_spec()->add_containers();
  sidecar->set_name("sidecar");
  sidecar->set_image("busybox:1.36");
  auto* volume = pod.mutable_spec()->add_volumes();
  volume->set_name("scratch");
  volume->mutable_empty_dir();
  pod = kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("graceful", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }))
      << kubelet_.get("graceful").DebugString();
  std::string main_id = kubelet_.attempts(pod, "main").back().id();
  std::string sidecar_id = kubelet_.attempts(pod, "sidecar").back().id();
  std::string volumes = kubelet_.pods_dir() + "/" + pod.metadata().uid();
  ASSERT_TRUE(std::filesystem::exists(volumes + "/volumes/scratch"));

  RuntimeCalls calls(*cluster_);
  sdk::ApiDeleteOptions options;
  options.grace_period_seconds = 20;
  core::Pod deleting = cluster_->api().erase<core::Pod>("default", "graceful", options);
  ASSERT_FALSE(deleting.metadata().deletion_timestamp().empty()) << "a bound pod is deleted gracefully";
  kubelet_.sync("graceful");

  EXPECT_TRUE(gone("graceful")) << "the deletion was not completed";
  EXPECT_TRUE(kubelet_.containers(pod).empty());
  EXPECT_TRUE(cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}}).empty());
  EXPECT_FALSE(std::filesystem::exists(volumes));

  // The preStop hook ran in main before main was stopped; both stopped with time to go.
  ASSERT_TRUE(wait_until([&] { return calls.calls().size() >= 3; })) << calls.calls().size() << " runtime calls seen";
  int pre_stop_at = -1, main_stop_at = -1, sidecar_stop_at = -1;
  auto seen = calls.calls();
  for (int i = 0; i < static_cast<int>(seen.size()); ++i) {
    const auto& [op, data] = seen[i];
    if (op == "exec") {
      rt::ExecRequest exec;
      ASSERT_TRUE(exec.ParseFromString(data));
      if (exec.container_id() == main_id && exec.command_size() == 2 && exec.command(1) == "/tmp/stopping") pre_stop_at = i;
      continue;
    }
    rt::ContainerRequest stop;
    ASSERT_TRUE(stop.ParseFromString(data));
    EXPECT_GT(stop.timeout_seconds(), 0) << "stopped without a grace period";
    EXPECT_LE(stop.timeout_seconds(), 20) << "more than the delete's grace period";
    if (stop.container_id() == main_id) main_stop_at = i;
    if (stop.container_id() == sidecar_id) sidecar_stop_at = i;
  }
  EXPECT_GE(pre_stop_at, 0) << "no preStop";
  EXPECT_GT(main_stop_at, pre_stop_at) << "main was stopped before its preStop ran";
  EXPECT_GE(sidecar_stop_at, 0) << "the sidecar was not stopped";
  EXPECT_TRUE(wait_until([&] { return kubelet_.events("graceful", "Killing").size() >= 1; })) << "no Killing event";
}

TEST_F(KubeletTermination, ThePodsGracePeriodIsTheDefault) {
  core::Pod pod = pod_named("own-grace");
  pod.mutable_spec()->set_termination_grace_period_seconds(7);
  pod = kubelet_.create(pod);
  ASSERT_TRUE(kubelet_.sync_until("own-grace", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }));
  RuntimeCalls calls(*cluster_);
  cluster_->api().erase<core::Pod>("default", "own-grace");
  kubelet_.sync("own-grace");
  EXPECT_TRUE(gone("own-grace"));
  ASSERT_TRUE(wait_until([&] { return !calls.calls().empty(); }));
  rt::ContainerRequest stop;
  ASSERT_TRUE(stop.ParseFromString(calls.calls().front().second));
  EXPECT_GT(stop.timeout_seconds(), 0);
  EXPECT_LE(stop.timeout_seconds(), 7);
}

TEST_F(KubeletTermination, LeftoversOfAPodTheApiNoLongerHasAreRemoved) {
  core::Pod pod = kubelet_.create(pod_named("forgotten"));
  ASSERT_TRUE(kubelet_.sync_until("forgotten", [](const core::Pod& p) { return condition(p, "Ready") == "True"; }));
  sdk::ApiDeleteOptions now;
  now.grace_period_seconds = 0;
  cluster_->api().erase<core::Pod>("default", "forgotten", now);
  ASSERT_TRUE(gone("forgotten"));
  ASSERT_FALSE(kubelet_.containers(pod).empty());

  kubelet_.syncer().remove_leftovers(pod.metadata().uid());
  EXPECT_TRUE(kubelet_.containers(pod).empty());
  EXPECT_TRUE(cluster_->runtime().list_sandboxes({{kubelet::kLabelPodUid, pod.metadata().uid()}}).empty());
  EXPECT_EQ(kubelet_.syncer().runtime_signature(pod.metadata().uid()), "") << "its memory is gone too";
}

}  // namespace
