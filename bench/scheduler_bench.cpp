// Scheduling throughput as Kubernetes' scheduler_perf measures it: N fake Node objects (no
// kubelets), then a burst of pods with resource requests and required node affinity, timed
// from creation to every pod bound. The scheduler runs in a child skiffd of its own so that
// its RSS is its own. Peer in the same run: the same pods bound by a bare loop that picks
// node i % N without deciding anything — the ceiling the API's binding path allows.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "bench_support.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/informer.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
namespace core = api::core::v1;
using Clock = steady_clock;

constexpr int kZones = 10;
constexpr int kWriters = 32;

core::Node fake_node(int i) {
  core::Node node;
  std::string name = "node-" + std::to_string(i);
  node.mutable_metadata()->set_name(name);
  auto& labels = *node.mutable_metadata()->mutable_labels();
  labels["kubernetes.io/hostname"] = name;
  labels["topology.kubernetes.io/zone"] = "zone-" + std::to_string(i % kZones);
  for (auto* r : {node.mutable_status()->mutable_capacity(), node.mutable_status()->mutable_allocatable()}) {
    (*r)["cpu"] = "4";
    (*r)["memory"] = "32Gi";
    (*r)["pods"] = "110";
  }
  return node;
}

// A pod that asks for resources and may only go to half of the zones.
core::Pod bench_pod(const std::string& ns, const std::string& name, const std::string& scheduler) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_(ns);
  pod.mutable_spec()->set_scheduler_name(scheduler);
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("registry.local/app:1");
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*c->mutable_resources()->mutable_requests())["memory"] = "256Mi";
  auto* expr = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                   ->mutable_required_during_scheduling_ignored_during_execution()->add_node_selector_terms()
                   ->add_match_expressions();
  expr->set_key("topology.kubernetes.io/zone");
  expr->set_operator_("In");
  for (int z = 0; z < kZones; z += 2) expr->add_values("zone-" + std::to_string(z));
  return pod;
}

void parallel(int count, int threads, const std::function<void(int)>& work) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < count;) work(i);
    });
  for (auto& t : pool) t.join();
}

struct Run {
  double seconds = 0;        // first create to last bound
  double pods_per_second = 0;
  double p50_ms = 0, p99_ms = 0;  // per pod: created to bound
  int bound = 0;
};

// Creates `count` pods in `ns` from kWriters threads and waits until the informer shows each
// bound; `bind` (if set) is the peer that binds instead of a scheduler.
Run burst(test::PluginNode& node, sdk::Informer<core::Pod>& pods, const std::string& ns, int count,
          const std::string& scheduler, const std::function<void(const sdk::ApiClient&, int)>& bind = {}) {
  std::mutex mutex;
  std::unordered_map<std::string, Clock::time_point> created;
  std::vector<double> latencies;
  std::atomic<int> bound{0};
  Clock::time_point last_bound;
  auto start = Clock::now();
  std::atomic<bool> done{false};
  // Watch for bindings on the side: the informer's cache, polled.
  std::thread watcher([&] {
    std::unordered_map<std::string, bool> seen;
    while (!done) {
      for (const auto& pod : pods.by_index(sdk::kNamespaceIndex, ns)) {
        if (pod->spec().node_name().empty() || seen.count(pod->metadata().name())) continue;
        auto now = Clock::now();
        seen[pod->metadata().name()] = true;
        std::lock_guard lock(mutex);
        auto it = created.find(pod->metadata().name());
        if (it != created.end()) latencies.push_back(duration<double, std::milli>(now - it->second).count());
        last_bound = now;
        ++bound;
      }
      if (bound >= count) break;
      std::this_thread::sleep_for(milliseconds(2));
    }
  });
  parallel(count, kWriters, [&](int i) {
    thread_local sdk::ApiClient api(node.bus(), node.subjects());
    std::string name = "pod-" + std::to_string(i);
    {
      std::lock_guard lock(mutex);
      created[name] = Clock::now();
    }
    api.create(bench_pod(ns, name, scheduler));
    if (bind) bind(api, i);
  });
  test::wait_until([&] { return bound >= count; }, seconds(300));
  done = true;
  watcher.join();
  Run run;
  run.bound = bound;
  run.seconds = duration<double>(last_bound - start).count();
  run.pods_per_second = run.bound / std::max(run.seconds, 1e-9);
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    run.p50_ms = latencies[latencies.size() / 2];
    run.p99_ms = latencies[static_cast<std::size_t>(latencies.size() * 0.99)];
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 5000;
  int count = argc > 2 ? std::atoi(argv[2]) : 10000;
  test::NatsServer nats;
  test::PluginNode node(nats,
                        "  - name: store-lmdb\n    config: {map_size: 8Gi}\n"
                        "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, bus_workers: 16}\n"
                        "  - name: scheduler-default\n    isolation: process\n    config: {leader_elect: false}\n",
                        "bench");
  node.start();
  sdk::ApiClient api(node.bus(), node.subjects());
  for (const char* ns : {"sched", "peer"}) {
    core::Namespace n;
    n.mutable_metadata()->set_name(ns);
    api.create(n);
  }
  auto fill_start = Clock::now();
  parallel(nodes, kWriters, [&](int i) {
    thread_local sdk::ApiClient client(node.bus(), node.subjects());
    client.create(fake_node(i));
  });
  std::printf("Scheduler: %d fake nodes (4 CPU, 32Gi each, %d zones), created in %.1f s\n", nodes, kZones,
              duration<double>(Clock::now() - fill_start).count());
  test::wait_until([&] { return bench::plugin_metric(node, "scheduler-default", "skiff_scheduler_nodes") >= nodes; },
                   seconds(120));
  auto children = test::processes_matching("--only scheduler-default");
  pid_t scheduler_pid = children.empty() ? -1 : children[0];
  bench::wait_idle(node.pid());

  sdk::Informer<core::Pod> pods(node.bus(), node.subjects(), sdk::api_source(node.bus(), node.subjects()));
  pods.start();
  pods.wait_for_sync(seconds(60));

  Run skiff = burst(node, pods, "sched", count, "default-scheduler");
  std::printf("  scheduler-default: %d pods (100m CPU, 256Mi, node affinity to 5 of %d zones) bound in %.2f s: "
              "%.0f pods/s, created-to-bound p50 %.0f ms, p99 %.0f ms (target >= 10,000 pods/s)\n",
              skiff.bound, kZones, skiff.seconds, skiff.pods_per_second, skiff.p50_ms, skiff.p99_ms);
  long rss = scheduler_pid > 0 ? bench::rss_kb(scheduler_pid) : -1;
  std::printf("  scheduler RSS with %d nodes and %d pods cached: %.0f MB (target <= 100 MB)\n", nodes, skiff.bound,
              rss / 1024.0);

  bench::wait_idle(node.pid());
  Run peer = burst(node, pods, "peer", count, "nobody", [&](const sdk::ApiClient& client, int i) {
    client.bind("peer", "pod-" + std::to_string(i), "node-" + std::to_string((i * 2) % nodes));
  });
  std::printf("  peer, the same pods bound by a loop without decisions: %.2f s, %.0f pods/s, p99 %.0f ms | "
              "scheduler/peer %.2fx\n",
              peer.seconds, peer.pods_per_second, peer.p99_ms, skiff.pods_per_second / peer.pods_per_second);
  pods.stop();
  return 0;
}
