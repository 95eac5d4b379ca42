// The kubelet's stats/v1alpha1 Summary: each runtime this node uses asked once (list_stats)
// for the pods the kubelet runs, containers mapped to their pods by the kubelet's own labels,
// pod figures summed from their containers, network from the sandbox, the node's from /proc.
// Collected when asked (no timer); a reading under a second old serves the next request too.
// The CPU-and-memory summary (metrics.k8s.io's, every period on every node) is cheaper: the
// containers come from the kubelet's own pod status, one list_stats per runtime, no listing,
// no sandboxes, and the node's /proc reading is shared by the kubelets of one process.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime_set.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "usage_rates.hpp"

namespace skiff::kubelet {

namespace stats = api::stats::v1alpha1;

using PodLister = std::function<std::vector<std::shared_ptr<const api::core::v1::Pod>>()>;

struct StatsOptions {
  std::string node;
  std::string fs_dir;  // the kubelet's data dir: the node's fs figures are of its filesystem
  std::chrono::milliseconds max_age{1000};
};

class StatsProvider {
 public:
  StatsProvider(RuntimeSet& runtimes, PodLister pods, StatsOptions options);

  // ?only_cpu_and_memory=true leaves out network, filesystems and volumes (what
  // metrics.k8s.io needs). Throws sdk::Error when a runtime does not answer.
  stats::Summary summary(bool only_cpu_and_memory = false);

 private:
  struct Cached {
    std::optional<stats::Summary> summary;
    UsageRates::Clock::time_point at;
  };
  stats::Summary collect(bool only_cpu_and_memory);

  RuntimeSet& runtimes_;
  PodLister pods_;
  StatsOptions options_;
  std::mutex mutex_;  // one collection at a time: a request arriving meanwhile reuses its result
  Cached full_, cpu_and_memory_;
  UsageRates rates_;
};

// Leaves network, filesystems and volumes out of the summary.
void strip_to_cpu_and_memory(stats::Summary& summary);

}  // namespace skiff::kubelet
