// Rates from consecutive kubelet summaries. A pod is reported only when every container of it
// has two readings, as metrics-server does: a half-measured pod would under-report to the HPA.
#include "usage_store.hpp"

namespace skiff::metrics {
namespace {

namespace stats = api::stats::v1alpha1;

std::optional<CpuReading> reading_of(const stats::CPUStats& cpu) {
  auto time = sdk::parse_rfc3339(cpu.time());
  if (!time || cpu.time().empty()) return std::nullopt;
  return CpuReading{*time, cpu.usage_core_nano_seconds()};
}

std::chrono::milliseconds window_between(TimePoint before, TimePoint after) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(after - before);
}

}  // namespace

std::optional<std::uint64_t> nano_cores_between(const CpuReading& before, const CpuReading& after) {
  if (after.time <= before.time || after.core_nanos < before.core_nanos) return std::nullopt;
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(after.time - before.time).count();
  long double rate = static_cast<long double>(after.core_nanos - before.core_nanos) * 1e9L / elapsed;
  return static_cast<std::uint64_t>(rate + 0.5L);
}

void UsageStore::record(const std::string& node, const stats::Summary& summary) {
  std::lock_guard lock(mutex_);
  NodeState& state = nodes_[node];
  NodeState next;
  if (auto cpu = reading_of(summary.node().cpu())) {
    next.node_cpu = *cpu;
    auto rate = state.node_cpu ? nano_cores_between(*state.node_cpu, *cpu) : std::nullopt;
    if (rate)
      next.node = NodeUsage{node, Usage{cpu->time, window_between(state.node_cpu->time, cpu->time), *rate,
                                        summary.node().memory().working_set_bytes()}};
  }
  for (const auto& pod : summary.pods()) {
    PodUsage usage{pod.pod_ref().namespace_(), pod.pod_ref().name(), {}, {}};
    bool complete = !pod.containers().empty();
    for (const auto& container : pod.containers()) {
      auto cpu = reading_of(container.cpu());
      if (!cpu) {
        complete = false;
        continue;
      }
      std::string key = pod.pod_ref().uid() + "/" + container.name();
      next.containers[key] = ContainerReading{*cpu, container.start_time()};
      auto previous = state.containers.find(key);
      std::optional<std::uint64_t> rate;
      if (previous != state.containers.end() && previous->second.start_time == container.start_time())
        rate = nano_cores_between(previous->second.cpu, *cpu);
      if (!rate) {
        complete = false;
        continue;
      }
      usage.containers.push_back({container.name(), *rate, container.memory().working_set_bytes()});
      usage.usage.nano_cores += *rate;
      usage.usage.memory_bytes += container.memory().working_set_bytes();
      if (cpu->time > usage.usage.timestamp) {
        usage.usage.timestamp = cpu->time;
        usage.usage.window = window_between(previous->second.cpu.time, cpu->time);
      }
    }
    if (complete) next.pods.push_back(std::move(usage));
  }
  state = std::move(next);
}

void UsageStore::forget(const std::string& node) {
  std::lock_guard lock(mutex_);
  nodes_.erase(node);
}

std::vector<std::string> UsageStore::known_nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, state] : nodes_) names.push_back(name);
  return names;
}

std::vector<NodeUsage> UsageStore::nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<NodeUsage> out;
  for (const auto& [name, state] : nodes_)
    if (state.node) out.push_back(*state.node);
  return out;
}

std::vector<PodUsage> UsageStore::pods() const {
  std::lock_guard lock(mutex_);
  std::vector<PodUsage> out;
  for (const auto& [name, state] : nodes_) out.insert(out.end(), state.pods.begin(), state.pods.end());
  return out;
}

}  // namespace skiff::metrics
