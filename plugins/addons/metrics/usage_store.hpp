// What the metrics addon knows: each node's last two summaries turned into usage, as
// metrics-server computes it — CPU as the rate of the cumulative counter between the two
// readings, memory as the newest working set. Pods and nodes absent from the newest
// reading are gone from the answers at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::metrics {

using TimePoint = sdk::WallClock::time_point;

// One reading of a cumulative CPU counter.
struct CpuReading {
  TimePoint time{};
  std::uint64_t core_nanos = 0;
};

struct ContainerUsage {
  std::string name;
  std::uint64_t nano_cores = 0;
  std::uint64_t memory_bytes = 0;
};

// The usage of a node or a pod over one window (between its last two readings).
struct Usage {
  TimePoint timestamp{};
  std::chrono::milliseconds window{};
  std::uint64_t nano_cores = 0;
  std::uint64_t memory_bytes = 0;
};

struct NodeUsage {
  std::string name;
  Usage usage;
};

struct PodUsage {
  std::string namespace_;
  std::string name;
  Usage usage;  // cpu and memory summed over its containers
  std::vector<ContainerUsage> containers;
};

// The CPU rate between two readings in nanocores; nullopt when it cannot be known (no time
// passed, or the counter went back: the container restarted).
std::optional<std::uint64_t> nano_cores_between(const CpuReading& before, const CpuReading& after);

class UsageStore {
 public:
  // A node's newest summary: usage against its previous one (nothing for what it is the
  // first reading of); pods missing from it are forgotten.
  void record(const std::string& node, const api::stats::v1alpha1::Summary& summary);
  // A node that no longer answers or no longer exists: its node and pod usage are gone.
  void forget(const std::string& node);
  std::vector<std::string> known_nodes() const;

  std::vector<NodeUsage> nodes() const;
  std::vector<PodUsage> pods() const;

 private:
  struct ContainerReading {
    CpuReading cpu;
    std::string start_time;
  };
  struct NodeState {
    std::optional<CpuReading> node_cpu;
    std::map<std::string, ContainerReading> containers;  // "<pod uid>/<container>"
    std::optional<NodeUsage> node;
    std::vector<PodUsage> pods;
  };

  mutable std::mutex mutex_;
  std::map<std::string, NodeState> nodes_;
};

}  // namespace skiff::metrics
