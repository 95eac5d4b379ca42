// Kubernetes' HPA replica calculation (pkg/controller/podautoscaler/replica_calculator.go) as
// pure functions: which pods count, and the replicas a resource metric asks for.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {

using WallTime = std::chrono::system_clock::time_point;

// How one of the target's pods takes part (groupPods).
enum class PodGroup {
  Ready,    // its sample counts
  Unready,  // pending, or cpu not yet settled: left out, or counted as 0 usage when scaling up
  Missing,  // running without a sample: counted conservatively
  Ignored,  // being deleted or failed
};

struct PodSampleTimes {
  WallTime timestamp;            // when the sample's window ended
  std::chrono::seconds window;   // what it was averaged over
};

struct CpuReadiness {
  std::chrono::seconds initialization_period{300};  // --horizontal-pod-autoscaler-cpu-initialization-period
  std::chrono::seconds initial_readiness_delay{30}; // --horizontal-pod-autoscaler-initial-readiness-delay
};

// A pod's group; `sample` is nullopt when the metrics held none for it. The cpu rules (a
// sample taken too soon after start or readiness is not trusted) apply when `cpu` is set.
PodGroup group_pod(const api::core::v1::Pod& pod, const std::optional<PodSampleTimes>& sample, bool cpu,
                   const CpuReadiness& readiness, WallTime now);

// One pod as the calculation sees it; usage and request in thousandths (millicores, millibytes).
struct PodUsage {
  std::string name;
  PodGroup group = PodGroup::Ready;
  std::optional<std::int64_t> usage;  // its sample, when it has one
  std::int64_t request = 0;           // the sum of its containers' requests (Utilization)
};

struct Tolerance {
  double scale_down = 0.1;
  double scale_up = 0.1;
  bool within(double ratio) const { return 1.0 - scale_down <= ratio && ratio <= 1.0 + scale_up; }
};

struct ReplicaProposal {
  std::int32_t replicas = 0;
  std::optional<std::int32_t> utilization;  // percent of request (Utilization targets)
  std::int64_t average_usage = 0;           // per pod, in thousandths
};

// GetResourceReplicas: a target utilization (percent of request). Missing samples count as
// 0 when scaling up and as max(100 %, target) of request when scaling down; unready pods count
// as 0 only when scaling up; a change the conservative view reverses or tolerates is no change.
// Returns the error text Kubernetes gives when nothing can be computed.
std::variant<ReplicaProposal, std::string> utilization_replicas(std::int32_t current, std::int32_t target_percent,
                                                                const std::vector<PodUsage>& pods, Tolerance tolerance);

// GetRawResourceReplicas (calcPlainMetricReplicas): a target average value per pod, in thousandths.
std::variant<ReplicaProposal, std::string> average_value_replicas(std::int32_t current, std::int64_t target_average,
                                                                  const std::vector<PodUsage>& pods, Tolerance tolerance);

}  // namespace skiff::controllers
