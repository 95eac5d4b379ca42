// The kubelet's stats summary on the bus with real Docker containers: a CPU burner's counter
// grows with time, a pod holding 50 MiB of shared memory shows it in its working set, a pod
// that talked to its gateway has eth0 traffic, and the node's own figures are there; the
// /metrics/resource text names the pods' containers; with two runtimes (Docker, runtime-sim by
// RuntimeClass) the summary holds the pods of both.
#include <gtest/gtest.h>

#include "kubelet_docker_fixture.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using test::KubeletDocker;
namespace stats = api::stats::v1alpha1;

class KubeletDockerStats : public KubeletDocker {
 protected:
  stats::Summary summary() {
    return sdk::call<stats::Summary>(node->node().bus(), node->node().subjects().kubelet_on(node_name, "stats_summary"),
                                     stats::SummaryRequest(), 30s);
  }
  static const stats::PodStats* find_pod(const stats::Summary& s, const std::string& name) {
    for (const auto& p : s.pods())
      if (p.pod_ref().name() == name) return &p;
    return nullptr;
  }
  static double seconds_at(const std::string& rfc3339) {
    auto t = sdk::parse_rfc3339(rfc3339);
    return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0;
  }
};

TEST_F(KubeletDockerStats, BusSummaryShowsCpuMemoryNetworkAndTheNode) {
  apply_pod("stats-burner",
            "  - name: burner\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
            "    command: [sh, -c, 'while :; do :; done']\n");
  // /dev/shm is a tmpfs: its pages are charged to the writer's memory cgroup and are not file
  // cache, so they stay in the working set. The ping and refused connection make eth0 traffic.
  apply_pod("stats-memory",
            "  - name: hog\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
            "    command: [sh, -c, 'gw=$(ip route | awk \"/default/ {print \\$3}\"); ping -c 2 -W 1 $gw; "
            "nc -w 1 $gw 9 </dev/null; head -c 52428800 /dev/zero > /dev/shm/fill; sleep 3600']\n");
  ASSERT_TRUE(all_ready("test=stats-burner", 1)) << ok({"get", "pods", "-o", "wide"});
  ASSERT_TRUE(all_ready("test=stats-memory", 1)) << ok({"get", "pods", "-o", "wide"});

  stats::Summary first;
  ASSERT_TRUE(test::wait_until([&] {
    first = summary();
    const auto* hog = find_pod(first, "stats-memory");
    return find_pod(first, "stats-burner") && hog && hog->memory().working_set_bytes() >= 45u << 20 &&
           hog->network().rx_bytes() > 0 && hog->network().tx_bytes() > 0;
  }, 60s, 200ms)) << first.DebugString();

  // A later reading, at least two seconds on: the burner used at least 0.3 of a core meanwhile.
  const auto& burner_then = find_pod(first, "stats-burner")->containers(0);
  stats::Summary later;
  ASSERT_TRUE(test::wait_until([&] {
    later = summary();
    const auto* b = find_pod(later, "stats-burner");
    return b && b->containers_size() == 1 &&
           seconds_at(b->containers(0).cpu().time()) >= seconds_at(burner_then.cpu().time()) + 2;
  }, 30s, 200ms)) << later.DebugString();
  const auto& burner_now = find_pod(later, "stats-burner")->containers(0);
  EXPECT_EQ(burner_now.name(), "burner");
  double cpu_seconds = static_cast<double>(burner_now.cpu().usage_core_nano_seconds() -
                                           burner_then.cpu().usage_core_nano_seconds()) / 1e9;
  double elapsed = seconds_at(burner_now.cpu().time()) - seconds_at(burner_then.cpu().time());
  EXPECT_GE(cpu_seconds / elapsed, 0.3) << cpu_seconds << " s of CPU in " << elapsed << " s";
  EXPECT_GT(burner_now.cpu().usage_nano_cores(), 0u);
  EXPECT_GT(find_pod(later, "stats-burner")->cpu().usage_nano_cores(), 0u);

  const auto& node_stats = later.node();
  EXPECT_EQ(node_stats.node_name(), node_name);
  EXPECT_GT(node_stats.cpu().usage_core_nano_seconds(), 0u);
  EXPECT_GT(node_stats.cpu().usage_nano_cores(), 0u) << "a burner runs: the node is not idle";
  EXPECT_GT(node_stats.memory().working_set_bytes(), 0u);
  EXPECT_GT(node_stats.memory().available_bytes(), 0u);
  EXPECT_GT(node_stats.fs().capacity_bytes(), 0u);
  EXPECT_FALSE(node_stats.start_time().empty());

  auto metrics = node->node().bus().request(node->node().subjects().kubelet_on(node_name, "metrics_resource"), "", 30s);
  ASSERT_TRUE(metrics.ok()) << metrics.status.message;
  EXPECT_NE(metrics.data.find("container_cpu_usage_seconds_total{container=\"burner\",namespace=\"default\",pod=\"stats-burner\"} "),
            std::string::npos)
      << metrics.data;
  EXPECT_NE(metrics.data.find("\nresource_scrape_error 0\n"), std::string::npos) << metrics.data;
}

// Docker as the default runtime, runtime-sim behind the handler "sim": the summary holds the
// pods of both, each runtime asked once.
class KubeletDockerStatsTwoRuntimes : public KubeletDockerStats {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
           "  - name: runtime-sim\n    config: {handler: sim, default: false}\n"
           "  - name: kubelet\n";
  }
};

TEST_F(KubeletDockerStatsTwoRuntimes, PodsOfEveryRuntimeClassAreInTheSummary) {
  ok({"apply", "-f", "-"}, "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: hollow\nhandler: sim\n");
  const char* container = "  - name: app\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n    command: [sleep, '3600']\n";
  ok({"apply", "-f", "-"}, std::string("apiVersion: v1\nkind: Pod\nmetadata:\n  name: simulated\n  labels: {test: simulated}\n"
                                       "spec:\n  runtimeClassName: hollow\n  containers:\n") +
                               container + "    env: [{name: SIM_MEMORY_USAGE, value: 32Mi}]\n");
  apply_pod("real", container);
  ASSERT_TRUE(all_ready("test=simulated", 1)) << ok({"describe", "pod", "simulated"});
  ASSERT_TRUE(all_ready("test=real", 1)) << ok({"describe", "pod", "real"});
  stats::Summary s;
  EXPECT_TRUE(test::wait_until([&] {
    s = summary();
    const auto* simulated = find_pod(s, "simulated");
    const auto* real = find_pod(s, "real");
    return simulated && real && simulated->containers_size() == 1 && real->containers_size() == 1;
  }, 30s, 200ms)) << s.DebugString();
  if (const auto* simulated = find_pod(s, "simulated")) {
    EXPECT_EQ(simulated->memory().working_set_bytes(), 32u << 20) << "runtime-sim's figure, from its SIM_MEMORY_USAGE";
    EXPECT_EQ(simulated->network().name(), "eth0");
  }
  if (const auto* real = find_pod(s, "real")) EXPECT_GT(real->memory().working_set_bytes(), 0u);
}

}  // namespace
