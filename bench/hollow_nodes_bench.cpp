// 10,000 pods on 100 simulated nodes: the real kubelet (nodes: 100 in one process) on
// runtime-sim, with the real scheduler and controller-manager — a Deployment from create to
// every replica Running and Available. The peer is the same run with the fake kubelet of
// controller_bench (status written straight to the API, no kubelet logic), so the ratio is
// what the kubelet's pod workers, runtime calls and status writes cost at scale.
#include <cstdio>

#include "bench_support.hpp"
#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
namespace apps = api::apps::v1;
using Clock = steady_clock;

const char* kMaster =
    "  - name: store-lmdb\n    config: {map_size: 8Gi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, bus_workers: 16}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n";

// Seconds from the Deployment's create until all its replicas are available.
double roll_out(const sdk::ApiClient& api, int replicas) {
  auto start = Clock::now();
  api.create(bench::deployment("hollow", replicas, "registry.local/app:1"));
  auto last_report = start;
  bool done = test::wait_until([&] {
    auto d = api.get<apps::Deployment>("default", "hollow");
    if (std::getenv("SKIFF_BENCH_PROGRESS") && Clock::now() - last_report >= seconds(1)) {
      last_report = Clock::now();
      std::fprintf(stderr, "    %.0f s: %d replicas, %d ready, %d available\n", duration<double>(last_report - start).count(),
                   d.status().replicas(), d.status().ready_replicas(), d.status().available_replicas());
    }
    return d.status().available_replicas() == replicas;
  }, seconds(300), milliseconds(50));
  double s = duration<double>(Clock::now() - start).count();
  if (!done) {
    auto d = api.get<apps::Deployment>("default", "hollow");
    std::fprintf(stderr, "stuck: %d replicas, %d ready, %d available\n", d.status().replicas(), d.status().ready_replicas(),
                 d.status().available_replicas());
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int replicas = argc > 1 ? std::atoi(argv[1]) : 10000;
  int nodes = argc > 2 ? std::atoi(argv[2]) : 100;
  int per_node = replicas / nodes * 2 + 10;
  std::printf("Hollow nodes: a Deployment of %d replicas on %d nodes (scheduler-default, controller-manager)\n", replicas,
              nodes);

  double hollow = 0;
  long kubelet_rss = 0;
  {
    test::NatsServer nats;
    test::PluginNode master(nats, kMaster, "master");
    master.start();
    std::string n = std::to_string(nodes);
    test::PluginNode hollow_nodes(nats,
                                  "  - name: runtime-sim\n    config: {nodes: " + n + ", node_prefix: hollow}\n"
                                  "  - name: kubelet\n    config: {nodes: " + n + ", node_prefix: hollow, max_pods: " +
                                      std::to_string(per_node) + ", cpu: '64', memory: 256Gi, workers: 4, relist_period: ${SKIFF_RELIST:-1s}}\n",
                                  "hollow-host");
    hollow_nodes.start();
    sdk::ApiClient api(master.bus(), master.subjects());
    if (!test::wait_until([&] { return static_cast<int>(api.list<api::core::v1::Node>().size()) == nodes; }, seconds(60)))
      std::fprintf(stderr, "not every hollow node registered\n");
    bench::wait_idle(hollow_nodes.pid());
    double kubelet_cpu = bench::cpu_seconds(hollow_nodes.pid()), master_cpu = bench::cpu_seconds(master.pid());
    hollow = roll_out(api, replicas);
    kubelet_rss = bench::rss_kb(hollow_nodes.pid());
    std::printf("  CPU used meanwhile: kubelets + runtime-sim %.1f s (%.2f ms per pod), control plane %.1f s\n",
                bench::cpu_seconds(hollow_nodes.pid()) - kubelet_cpu,
                (bench::cpu_seconds(hollow_nodes.pid()) - kubelet_cpu) * 1000 / replicas,
                bench::cpu_seconds(master.pid()) - master_cpu);
    if (std::getenv("SKIFF_BENCH_LOG")) std::fprintf(stderr, "%s\n", hollow_nodes.output().c_str());
  }
  std::printf("  real kubelets on runtime-sim: create -> all Running and Available: %.2f s, %.0f pods/s (target <= 10 s)\n",
              hollow, replicas / hollow);
  std::printf("  the process of %d kubelets + runtime-sim: RSS %.0f MB (%.2f MB per node)\n", nodes, kubelet_rss / 1024.0,
              kubelet_rss / 1024.0 / nodes);

  double fake = 0;
  {
    test::NatsServer nats;
    test::PluginNode master(nats, kMaster, "master");
    master.start();
    sdk::ApiClient api(master.bus(), master.subjects());
    std::vector<std::string> names;
    for (int i = 0; i < nodes; ++i) names.push_back("fake-" + std::to_string(i));
    test::FakeKubeletOptions options;
    options.pods = std::to_string(per_node);
    options.cpu = "64";
    options.memory = "256Gi";
    options.heartbeat = seconds(10);
    options.workers = 16;
    test::FakeKubelet kubelet(master.bus(), master.subjects(), names, options);
    bench::wait_idle(master.pid());
    double master_cpu = bench::cpu_seconds(master.pid());
    fake = roll_out(api, replicas);
    std::printf("  peer's control plane CPU: %.1f s\n", bench::cpu_seconds(master.pid()) - master_cpu);
  }
  std::printf("  peer, the fake kubelet (status written at once): %.2f s; ratio real/fake %.2fx\n", fake, hollow / fake);
  return 0;
}
