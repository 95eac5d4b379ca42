// Scheduling throughput as Kubernetes' scheduler_perf measures it: N fake Node objects (no
// kubelets), then a burst of pods with resource requests and required node affinity, timed
// from creation to every pod bound. The scheduler runs in a child skiffd of its own so that
// its RSS is its own. Peer in the same run: the same pods bound by a bare loop that picks
// node i % N without deciding anything — the ceiling the API's binding path allows.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>
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

// When each pod was first seen bound, by namespace/name: fed by the informer's handlers, so
// watching costs nothing while the scheduler works.
class BindWatch {
 public:
  void on_pod(const std::shared_ptr<const core::Pod>& pod) {
    if (pod->spec().node_name().empty()) return;
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    auto& ns = bound_[pod->metadata().namespace_()];
    ns.emplace(pod->metadata().name(), now);
  }
  std::size_t count(const std::string& ns) {
    std::lock_guard lock(mutex_);
    return bound_[ns].size();
  }
  std::unordered_map<std::string, Clock::time_point> of(const std::string& ns) {
    std::lock_guard lock(mutex_);
    return bound_[ns];
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<std::string, Clock::time_point>> bound_;
};

struct Run {
  double seconds = 0;  // first create to last bound
  double pods_per_second = 0;
  double p50_ms = 0, p99_ms = 0;  // per pod: created to bound
  int bound = 0;
};

// Creates `count` pods in `ns` from kWriters threads and waits until each is seen bound.
Run burst(test::PluginNode& node, BindWatch& watch, const std::string& ns, int count, const std::string& scheduler) {
  std::vector<Clock::time_point> created(count);
  auto start = Clock::now();
  parallel(count, kWriters, [&](int i) {
    thread_local sdk::ApiClient api(node.bus(), node.subjects());
    created[i] = Clock::now();
    api.create(bench_pod(ns, "pod-" + std::to_string(i), scheduler));
  });
  test::wait_until([&] { return watch.count(ns) >= static_cast<std::size_t>(count); }, seconds(300), milliseconds(5));
  Run run;
  Clock::time_point last = start;
  std::vector<double> latencies;
  for (const auto& [name, at] : watch.of(ns)) {
    last = std::max(last, at);
    latencies.push_back(duration<double, std::milli>(at - created[std::stoi(name.substr(4))]).count());
  }
  run.bound = static_cast<int>(latencies.size());
  run.seconds = duration<double>(last - start).count();
  run.pods_per_second = run.bound / std::max(run.seconds, 1e-9);
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    run.p50_ms = latencies[latencies.size() / 2];
    run.p99_ms = latencies[static_cast<std::size_t>(latencies.size() * 0.99)];
  }
  return run;
}

// User and system CPU time of a process so far (every thread), from /proc/<pid>/stat.
double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 5000;
  int count = argc > 2 ? std::atoi(argv[2]) : 10000;
  test::NatsServer nats;
  test::PluginNode control(nats,
                           "  - name: store-lmdb\n    config: {map_size: 8Gi}\n"
                           "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false, bus_workers: 16}\n",
                           "control");
  control.start();
  // The scheduler in a skiffd of its own: its RSS is its own, and it can start after a backlog.
  // SCHEDULER_PARALLELISM=N: the scheduler's filter/score threads (default: one per hardware thread).
  std::string parallelism = std::getenv("SCHEDULER_PARALLELISM") ? std::getenv("SCHEDULER_PARALLELISM") : "0";
  test::PluginNode scheduler(
      nats, "  - name: scheduler-default\n    config: {leader_elect: false, parallelism: " + parallelism + "}\n", "scheduler");
  sdk::ApiClient api(control.bus(), control.subjects());
  for (const char* ns : {"burst", "backlog", "peer"}) {
    core::Namespace n;
    n.mutable_metadata()->set_name(ns);
    api.create(n);
  }
  auto fill_start = Clock::now();
  parallel(nodes, kWriters, [&](int i) {
    thread_local sdk::ApiClient client(control.bus(), control.subjects());
    client.create(fake_node(i));
  });
  std::printf("Scheduler: %d fake nodes (4 CPU, 32Gi each, %d zones), created in %.1f s; pods ask for 100m CPU, "
              "256Mi and one of 5 zones (required node affinity)\n",
              nodes, kZones, duration<double>(Clock::now() - fill_start).count());
  auto start_scheduler = [&] {
    scheduler.start();
    test::wait_until([&] { return bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_nodes") >= nodes; },
                     seconds(120));
  };
  sdk::Informer<core::Pod> pods(control.bus(), control.subjects(), sdk::api_source(control.bus(), control.subjects()));
  BindWatch watch;
  pods.add_handlers([&](const auto& pod) { watch.on_pod(pod); }, [&](const auto&, const auto& pod) { watch.on_pod(pod); },
                    nullptr);
  pods.start();
  pods.wait_for_sync(seconds(60));

  // 1. A burst while the scheduler runs: creation to binding, end to end.
  start_scheduler();
  bench::wait_idle(control.pid());
  Run burst_run = burst(control, watch, "burst", count, "default-scheduler");
  std::printf("  burst: %d pods created by %d clients and bound in %.2f s: %.0f pods/s end to end, created-to-bound "
              "p50 %.0f ms, p99 %.0f ms\n",
              burst_run.bound, kWriters, burst_run.seconds, burst_run.pods_per_second, burst_run.p50_ms, burst_run.p99_ms);
  std::printf("    (scheduler counters: %.0f unschedulable attempts, %.0f failed bindings)\n",
              bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_unschedulable_total"),
              bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_bind_errors_total"));
  if (std::getenv("SCHEDULER_LOG")) std::printf("%s\n", scheduler.output().c_str());
  std::printf("  scheduler skiffd RSS with %d nodes and %d pods cached: %.0f MB (target <= 100 MB)\n", nodes,
              burst_run.bound, bench::rss_kb(scheduler.pid()) / 1024.0);

  // 2. A backlog: pods created while no scheduler runs, then one starts (scheduler_perf's
  //    SchedulingThroughput: pods placed per second once it is working).
  scheduler.stop();
  parallel(count, kWriters, [&](int i) {
    thread_local sdk::ApiClient client(control.bus(), control.subjects());
    client.create(bench_pod("backlog", "pod-" + std::to_string(i), "default-scheduler"));
  });
  bench::wait_idle(control.pid());
  auto started = Clock::now();
  scheduler.start();
  double cpu_at_start = cpu_seconds(scheduler.pid());
  if (std::getenv("SCHEDULER_PID_FILE")) std::ofstream(std::getenv("SCHEDULER_PID_FILE")) << scheduler.pid() << "\n";
  test::wait_until([&] { return watch.count("backlog") >= static_cast<std::size_t>(count); }, seconds(300),
                   milliseconds(5));
  Clock::time_point first_bound = Clock::time_point::max(), last_bound = started;
  int bound = 0;
  for (const auto& [name, at] : watch.of("backlog")) {
    first_bound = std::min(first_bound, at);
    last_bound = std::max(last_bound, at);
    ++bound;
  }
  double placing = duration<double>(last_bound - first_bound).count();
  std::printf("  backlog: %d pods waiting, scheduler started: first bound after %.2f s (informers synced), all %d "
              "bound %.2f s later: %.0f pods/s (target >= 10,000 pods/s)\n",
              count, duration<double>(first_bound - started).count(), bound, placing, bound / std::max(placing, 1e-9));
  double scheduler_rate = bound / std::max(placing, 1e-9);
  std::printf("    (scheduler counters: %.0f unschedulable attempts, %.0f failed bindings)\n",
              bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_unschedulable_total"),
              bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_bind_errors_total"));
  // The decision loop on its own (what bounds it on an idle machine), and what the whole
  // scheduler process burned meanwhile: figures the machine's other load disturbs less.
  double deciding = bench::plugin_metric(scheduler, "scheduler-default", "skiff_scheduler_deciding_seconds_total");
  std::printf("    deciding: %.0f us per pod (%.0f pods/s for the decision loop alone); scheduler process CPU from start "
              "to all bound (informer sync included): %.2f s, %.0f us per pod\n",
              deciding * 1e6 / std::max(bound, 1), bound / std::max(deciding, 1e-9), cpu_seconds(scheduler.pid()) - cpu_at_start,
              (cpu_seconds(scheduler.pid()) - cpu_at_start) * 1e6 / std::max(bound, 1));
  scheduler.stop();

  // 3. Peer: the same backlog bound by a loop that decides nothing (node i*2 % N), through
  //    the same batched binding API, 4 requests of 500 in flight like the scheduler's binders.
  parallel(count, kWriters, [&](int i) {
    thread_local sdk::ApiClient client(control.bus(), control.subjects());
    client.create(bench_pod("peer", "pod-" + std::to_string(i), "nobody"));
  });
  bench::wait_idle(control.pid());
  auto peer_start = Clock::now();
  constexpr int kBatch = 500;
  parallel((count + kBatch - 1) / kBatch, 4, [&](int batch) {
    thread_local sdk::ApiClient client(control.bus(), control.subjects());
    std::vector<sdk::ApiClient::Binding> bindings;
    for (int i = batch * kBatch; i < std::min(count, (batch + 1) * kBatch); ++i)
      bindings.push_back({"peer", "pod-" + std::to_string(i), "node-" + std::to_string((i * 2) % nodes), ""});
    client.bind_many(bindings);
  });
  double peer_seconds = duration<double>(Clock::now() - peer_start).count();
  std::printf("  peer: the same backlog bound by a loop without decisions (batches of %d, 4 in flight): %.2f s, "
              "%.0f pods/s | scheduler/peer %.2fx\n",
              kBatch, peer_seconds, count / peer_seconds, scheduler_rate / (count / peer_seconds));
  pods.stop();
  if (std::getenv("SCHEDULER_LOG")) std::printf("%s\n", scheduler.output().c_str());
  return 0;
}
