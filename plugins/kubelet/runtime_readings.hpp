// What one collection learns from the node's runtimes: each running container of this node
// with its pod, name and start, each ready sandbox with its pod, and list_stats' figures.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime_set.hpp"
#include "usage_rates.hpp"

namespace skiff::kubelet {

struct ContainerReading {
  std::string pod_uid;
  std::string name;
  std::string started_at;
  runtime::v1::StatsResponse stats;
  UsageRates::Clock::time_point read_at;
};

struct SandboxReading {
  std::string pod_uid;
  runtime::v1::SandboxStatsResponse stats;
};

struct RuntimeReadings {
  std::map<std::string, ContainerReading> containers;  // by container id
  std::map<std::string, SandboxReading> sandboxes;     // by sandbox id
};

// One list_containers, list_sandboxes and list_stats per runtime (a runtime listed twice, as
// the default and by its handler, counts once); a handler not served on this node is skipped.
RuntimeReadings read_runtimes(RuntimeSet& runtimes, const std::string& node);

}  // namespace skiff::kubelet
