// The resource metrics pipeline at 100 nodes × 30 pods: the real kubelet (nodes: 100 in one
// process) on runtime-sim reporting synthetic stats, the metrics addon in a skiffd of its own
// (so its CPU and memory are its own), collecting every 10 s. Measured: the addon's CPU and RSS,
// the kubelets' extra CPU for their summaries (against the same kubelets before the addon ran),
// and freshness — from a pod Running to its usage answering metrics.k8s.io. The peer is
// metrics-server's published sizing: 1 m CPU and 2 MB per node (100 m and 200 MiB for 100 nodes).
#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench_support.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using Clock = steady_clock;
namespace core = api::core::v1;
namespace m = api::metrics::v1beta1;

const char* kMaster =
    "  - name: store-lmdb\n    config: {map_size: 2Gi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n";

constexpr auto kWindow = seconds(40);  // four collection periods

core::Pod probe_pod(const std::string& name) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("registry.local/app:1");
  auto* env = c->add_env();
  env->set_name("SIM_CPU_USAGE");
  env->set_value("250m");
  return pod;
}

bool has_metrics(sdk::Bus& bus, const sdk::Subjects& subjects, const std::string& name) {
  m::MetricsRequest ask;
  ask.set_namespace_("default");
  ask.set_name(name);
  auto reply = bus.request(subjects.resource_metrics("pods"), ask.SerializeAsString(), seconds(2));
  m::MetricsResponse answer;
  return reply.ok() && answer.ParseFromString(reply.data) && answer.items_size() == 1;
}

// Seconds from each probe pod Running to its usage answering, probes started a few seconds
// apart so they fall at different points of the collection cycle.
std::vector<double> freshness(test::PluginNode& master, int probes) {
  sdk::ApiClient api(master.bus(), master.subjects());
  std::vector<double> out;
  std::vector<std::thread> threads;
  std::mutex mutex;
  for (int i = 0; i < probes; ++i) {
    threads.emplace_back([&, i] {
      std::string name = "probe-" + std::to_string(i);
      api.create(probe_pod(name));
      test::wait_until([&] { return api.get<core::Pod>("default", name).status().phase() == "Running"; }, seconds(60),
                       milliseconds(20));
      auto running = Clock::now();
      if (!test::wait_until([&] { return has_metrics(master.bus(), master.subjects(), name); }, seconds(60), milliseconds(50)))
        return;
      std::lock_guard lock(mutex);
      out.push_back(duration<double>(Clock::now() - running).count());
    });
    std::this_thread::sleep_for(milliseconds(2300));  // spread over the 10 s cycle, not a synchronisation
  }
  for (auto& t : threads) t.join();
  std::sort(out.begin(), out.end());
  return out;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return -1;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * (sorted.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 100;
  int pods_per_node = argc > 2 ? std::atoi(argv[2]) : 30;
  int replicas = nodes * pods_per_node;
  std::printf("Metrics pipeline: %d hollow nodes x %d pods (kubelet + runtime-sim), the metrics addon every 10 s\n", nodes,
              pods_per_node);

  test::NatsServer nats;
  test::PluginNode master(nats, kMaster, "master");
  master.start();
  std::string n = std::to_string(nodes);
  test::PluginNode hollow(nats,
                          "  - name: runtime-sim\n    config: {nodes: " + n + ", node_prefix: hollow}\n"
                          "  - name: kubelet\n    config: {nodes: " + n + ", node_prefix: hollow, max_pods: " +
                              std::to_string(pods_per_node + 20) + ", cpu: '64', memory: 256Gi, workers: 4}\n",
                          "hollow-host");
  hollow.start();
  sdk::ApiClient api(master.bus(), master.subjects());
  test::wait_until([&] { return static_cast<int>(api.list<core::Node>().size()) == nodes; }, seconds(60));
  api.create(bench::deployment("load", replicas, "registry.local/app:1"));
  test::wait_until([&] { return api.get<api::apps::v1::Deployment>("default", "load").status().available_replicas() == replicas; },
                   seconds(300), milliseconds(200));
  bench::wait_idle(hollow.pid());
  bench::wait_idle(master.pid());

  double before = bench::cpu_seconds(hollow.pid());
  std::this_thread::sleep_for(kWindow);  // the kubelets' own cost without anyone asking for stats
  double kubelet_baseline = bench::cpu_seconds(hollow.pid()) - before;

  test::PluginNode addon(nats, "  - name: metrics\n    config: {period: 10s}\n", "metrics-host");
  addon.start();
  test::wait_until([&] { return bench::plugin_metric(addon, "metrics", "skiff_metrics_nodes") == nodes; }, seconds(60));
  double addon_before = bench::cpu_seconds(addon.pid()), kubelet_before = bench::cpu_seconds(hollow.pid());
  std::this_thread::sleep_for(kWindow);  // a measured window: CPU counters over four periods
  double addon_cpu = bench::cpu_seconds(addon.pid()) - addon_before;
  double kubelet_extra = std::max(0.0, bench::cpu_seconds(hollow.pid()) - kubelet_before - kubelet_baseline);
  long addon_rss = bench::rss_kb(addon.pid());
  double window = duration<double>(kWindow).count();
  double pipeline_millicores = (addon_cpu + kubelet_extra) / window * 1000;
  double peer_millicores = nodes * 1.0, peer_mb = nodes * 2.0;

  std::printf("  addon: %.2f m CPU, RSS %.1f MB (a whole skiffd: kernel, bus client, addon)\n", addon_cpu / window * 1000,
              addon_rss / 1024.0);
  std::printf("  kubelets' extra for their summaries: %.2f m CPU (%.3f m per node)\n", kubelet_extra / window * 1000,
              kubelet_extra / window * 1000 / nodes);
  std::printf("  pipeline: %.2f m CPU vs metrics-server's %.0f m: ratio %.3f (goal <= 0.1)\n", pipeline_millicores,
              peer_millicores, pipeline_millicores / peer_millicores);
  std::printf("  addon memory: %.1f MB vs metrics-server's %.0f MB: ratio %.3f (goal <= 0.1)\n", addon_rss / 1024.0, peer_mb,
              addon_rss / 1024.0 / peer_mb);
  auto fresh = freshness(master, 12);
  std::printf("  freshness, pod Running -> usage served (%zu probes): p50 %.1f s, p99 %.1f s (two readings needed: "
              "period to 2 periods)\n",
              fresh.size(), percentile(fresh, 0.5), percentile(fresh, 0.99));
  return 0;
}
