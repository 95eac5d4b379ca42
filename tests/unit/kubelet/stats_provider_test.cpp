// The stats summary of pods the syncer runs on runtime-sim: containers mapped to their pods,
// pod figures summed, the sandbox's network, rates from two readings, the node's own figures.
#include <google/protobuf/util/message_differencer.h>

#include "kubelet_harness.hpp"
#include "known_containers.hpp"
#include "stats_provider.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
namespace core = api::core::v1;
namespace stats = api::stats::v1alpha1;

class KubeletStatsProvider : public KubeletSuite {
 protected:
  // A running pod of containers "main" (SIM_CPU_USAGE 500m, SIM_MEMORY_USAGE 64Mi) and "side"
  // (runtime-sim's defaults: 10m, 4Mi).
  core::Pod running_pod(const std::string& name) {
    auto pod = pod_named(name);
    set_env(*pod.mutable_spec()->mutable_containers(0), "SIM_CPU_USAGE", "500m");
    set_env(*pod.mutable_spec()->mutable_containers(0), "SIM_MEMORY_USAGE", "64Mi");
    auto* side = pod.mutable_spec()->add_containers();
    side->set_name("side");
    side->set_image("busybox:1.36");
    kubelet_.create(pod);
    EXPECT_TRUE(kubelet_.sync_until(name, [](const core::Pod& p) { return p.status().phase() == "Running"; }));
    return kubelet_.get(name);
  }

  kubelet::StatsProvider provider(std::vector<core::Pod> pods, std::chrono::milliseconds max_age) {
    std::vector<std::shared_ptr<const core::Pod>> known;
    for (auto& p : pods) known.push_back(std::make_shared<const core::Pod>(std::move(p)));
    return kubelet::StatsProvider(kubelet_.runtimes(), [known] { return known; }, {kNode, data_dir_.path(), max_age});
  }

  static const stats::PodStats* find_pod(const stats::Summary& s, const std::string& name) {
    for (const auto& p : s.pods())
      if (p.pod_ref().name() == name) return &p;
    return nullptr;
  }
  static const stats::ContainerStats* find_container(const stats::PodStats& p, const std::string& name) {
    for (const auto& c : p.containers())
      if (c.name() == name) return &c;
    return nullptr;
  }

  TempDir data_dir_;
};

TEST_F(KubeletStatsProvider, PodsOfThisKubeletWithTheirContainersAndNetwork) {
  auto web = running_pod("stats-web");
  running_pod("stats-unknown");  // runs, but the provider is not told of it (another kubelet's view)
  auto stats_of = provider({web}, std::chrono::milliseconds(0));
  auto summary = stats_of.summary();
  EXPECT_EQ(find_pod(summary, "stats-unknown"), nullptr) << "only the kubelet's own pods are reported";
  const auto* pod = find_pod(summary, "stats-web");
  ASSERT_NE(pod, nullptr) << summary.DebugString();
  EXPECT_EQ(pod->pod_ref().namespace_(), "default");
  EXPECT_EQ(pod->pod_ref().uid(), web.metadata().uid());
  ASSERT_EQ(pod->containers_size(), 2) << pod->DebugString();
  const auto* main = find_container(*pod, "main");
  const auto* side = find_container(*pod, "side");
  ASSERT_TRUE(main && side);
  EXPECT_EQ(main->memory().working_set_bytes(), 64u << 20);
  EXPECT_EQ(side->memory().working_set_bytes(), 4u << 20);
  EXPECT_EQ(pod->memory().working_set_bytes(), 68u << 20) << "a pod's memory is its containers'";
  EXPECT_FALSE(main->start_time().empty());
  EXPECT_EQ(pod->network().name(), "eth0");
  EXPECT_EQ(pod->network().interfaces_size(), 1);
  const auto& node = summary.node();
  EXPECT_EQ(node.node_name(), kNode);
  EXPECT_GT(node.cpu().usage_core_nano_seconds(), 0u);
  EXPECT_GT(node.memory().working_set_bytes(), 0u);
  EXPECT_GT(node.memory().available_bytes(), 0u);
  EXPECT_GT(node.fs().capacity_bytes(), 0u);

  // A later reading: counters grew, and the rates come from the two readings.
  stats::Summary later;
  const stats::ContainerStats* main_later = nullptr;
  ASSERT_TRUE(wait_until([&] {
    later = stats_of.summary();
    const auto* p = find_pod(later, "stats-web");
    main_later = p ? find_container(*p, "main") : nullptr;
    return main_later && main_later->cpu().usage_core_nano_seconds() >= main->cpu().usage_core_nano_seconds() + 100'000'000;
  }, 20s));
  EXPECT_GT(main_later->cpu().usage_nano_cores(), 0u);
  EXPECT_GT(find_pod(later, "stats-web")->cpu().usage_nano_cores(), 0u);
  EXPECT_GE(find_pod(later, "stats-web")->cpu().usage_core_nano_seconds(),
            main_later->cpu().usage_core_nano_seconds() + find_container(*find_pod(later, "stats-web"), "side")->cpu().usage_core_nano_seconds());

  auto lean = stats_of.summary(true);
  ASSERT_NE(find_pod(lean, "stats-web"), nullptr);
  EXPECT_FALSE(find_pod(lean, "stats-web")->has_network()) << "only_cpu_and_memory leaves the network out";
  EXPECT_FALSE(lean.node().has_fs());
  EXPECT_TRUE(find_pod(lean, "stats-web")->has_memory());
}

TEST_F(KubeletStatsProvider, TheCpuAndMemorySummaryReadsTheContainersThePodStatusNames) {
  auto web = running_pod("stats-lean");
  core::Pod unsynced = web;  // the kubelet's view before its first status: nothing running yet
  unsynced.mutable_metadata()->set_name("stats-lean-unsynced");
  unsynced.mutable_metadata()->set_uid("uid-of-stats-lean-unsynced");
  unsynced.mutable_status()->clear_container_statuses();
  auto stats_of = provider({web, unsynced}, std::chrono::milliseconds(0));
  auto lean = stats_of.summary(true);
  const auto* pod = find_pod(lean, "stats-lean");
  ASSERT_NE(pod, nullptr) << lean.DebugString();
  ASSERT_EQ(pod->containers_size(), 2) << pod->DebugString();
  EXPECT_EQ(pod->memory().working_set_bytes(), 68u << 20);
  EXPECT_EQ(find_pod(lean, "stats-lean-unsynced"), nullptr) << "no running container in its status: not read";
  EXPECT_GT(lean.node().memory().working_set_bytes(), 0u);
  EXPECT_FALSE(lean.node().has_network());
}

TEST(KubeletKnownContainers, TheRuntimesIdIsWhatFollowsTheScheme) {
  EXPECT_EQ(kubelet::runtime_container_id("docker://0123abc"), "0123abc");
  EXPECT_EQ(kubelet::runtime_container_id("containerd://x"), "x");
  EXPECT_EQ(kubelet::runtime_container_id("bare"), "bare");
}

TEST_F(KubeletStatsProvider, ARequestSoonAfterAnotherReusesItsReading) {
  auto web = running_pod("stats-cached");
  auto stats_of = provider({web}, std::chrono::hours(1));
  auto first = stats_of.summary();
  auto second = stats_of.summary();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  EXPECT_NE(find_pod(first, "stats-cached"), nullptr);
}

}  // namespace
