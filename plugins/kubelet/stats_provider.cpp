// Collects the Summary: the node from /proc, the pods from the runtimes' readings.
#include "stats_provider.hpp"

#include <map>
#include <set>

#include "known_containers.hpp"
#include "node_usage.hpp"
#include "runtime_readings.hpp"
#include "skiff/sdk/time.hpp"
#include "summary_parts.hpp"

namespace skiff::kubelet {

namespace {

using Pods = std::vector<std::shared_ptr<const api::core::v1::Pod>>;

std::map<std::string, stats::PodStats> pod_refs(const Pods& pods) {
  std::map<std::string, stats::PodStats> by_uid;
  for (const auto& pod : pods) {
    stats::PodStats p;
    p.mutable_pod_ref()->set_name(pod->metadata().name());
    p.mutable_pod_ref()->set_namespace_(pod->metadata().namespace_());
    p.mutable_pod_ref()->set_uid(pod->metadata().uid());
    p.set_start_time(pod->status().start_time());
    by_uid.emplace(pod->metadata().uid(), std::move(p));
  }
  return by_uid;
}

}  // namespace

StatsProvider::StatsProvider(RuntimeSet& runtimes, PodLister pods, StatsOptions options)
    : runtimes_(runtimes), pods_(std::move(pods)), options_(std::move(options)) {}

stats::Summary StatsProvider::summary(bool only_cpu_memory) {
  std::lock_guard lock(mutex_);
  auto now = UsageRates::Clock::now();
  Cached& cached = only_cpu_memory ? cpu_and_memory_ : full_;
  if (!cached.summary || now - cached.at >= options_.max_age) {
    cached.summary = collect(only_cpu_memory);
    cached.at = now;
  }
  return *cached.summary;
}

stats::Summary StatsProvider::collect(bool only_cpu_memory) {
  Pods pods = pods_();
  RuntimeReadings readings =
      only_cpu_memory ? read_known_containers(runtimes_, pods) : read_runtimes(runtimes_, options_.node);
  NodeCpuMemory node{{}, UsageRates::Clock::now()};
  if (only_cpu_memory) node = read_node_cpu_memory(options_.max_age);
  else node.usage = read_node_usage(options_.fs_dir);
  std::string time = sdk::format_rfc3339_micro(sdk::WallClock::now());

  stats::Summary out;
  *out.mutable_node() =
      node_stats(options_.node, node.usage, time, rates_.nano_cores("node", node.usage.cpu_nanos, node.read_at));
  auto by_uid = pod_refs(pods);
  std::set<std::string> seen;  // pods with something running: only those are reported
  std::map<std::string, UsageRates::Clock::time_point> read_at;  // by pod uid: its containers' reading
  for (const auto& [id, c] : readings.containers) {
    auto it = by_uid.find(c.pod_uid);
    if (it == by_uid.end()) continue;  // not a pod this kubelet runs (any more)
    *it->second.add_containers() = container_stats(c, rates_.nano_cores("container/" + id, c.stats.cpu_usage_nanos(), c.read_at));
    read_at[c.pod_uid] = c.read_at;
    seen.insert(c.pod_uid);
  }
  for (const auto& [id, s] : readings.sandboxes) {
    auto it = by_uid.find(s.pod_uid);
    if (it == by_uid.end()) continue;
    *it->second.mutable_network() = network_stats(s.stats.interfaces(), s.stats.timestamp().empty() ? time : s.stats.timestamp());
    seen.insert(s.pod_uid);
  }
  for (auto& [uid, pod] : by_uid) {
    if (!seen.count(uid)) continue;
    sum_containers(pod, time);
    // The pod's own rate, from its summed counter (a container that restarted sets it back: 0 once).
    auto* cpu = pod.mutable_cpu();
    auto at = read_at.count(uid) ? read_at.at(uid) : node.read_at;
    cpu->set_usage_nano_cores(rates_.nano_cores("pod/" + uid, cpu->usage_core_nano_seconds(), at));
    *out.add_pods() = std::move(pod);
  }
  // Both kinds read every running container and pod: what neither read is gone.
  rates_.forget_unread();
  if (only_cpu_memory) strip_to_cpu_and_memory(out);
  return out;
}

void strip_to_cpu_and_memory(stats::Summary& summary) {
  auto* node = summary.mutable_node();
  node->clear_network();
  node->clear_fs();
  node->clear_runtime();
  for (auto& pod : *summary.mutable_pods()) {
    pod.clear_network();
    pod.clear_volume();
    pod.clear_ephemeral_storage();
    for (auto& c : *pod.mutable_containers()) {
      c.clear_rootfs();
      c.clear_logs();
    }
  }
}

}  // namespace skiff::kubelet
