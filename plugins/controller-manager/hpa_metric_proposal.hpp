// One HPA metric → the replicas it asks for and its MetricStatus (Kubernetes' computeReplicasForMetric),
// or the reason and error Kubernetes reports when it cannot be read.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "hpa_metrics.hpp"
#include "hpa_replicas.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::controllers {

struct MetricContext {
  const ResourceMetricsClient& metrics;
  std::string ns;
  std::string selector;  // the target's, as text
  std::vector<std::shared_ptr<const api::core::v1::Pod>> pods;  // the target's pods
  std::int32_t current = 0;
  Tolerance tolerance;
  CpuReadiness cpu;
  WallTime now;
};

struct MetricProposal {
  std::int32_t replicas = 0;
  std::string metric;  // "cpu resource utilization (percentage of request)"
  api::autoscaling::v2::MetricStatus status;
};

struct MetricFailure {
  std::string reason;  // FailedGetResourceMetric, FailedGetPodsMetric …
  std::string error;
};

std::variant<MetricProposal, MetricFailure> propose_for_metric(const api::autoscaling::v2::MetricSpec& spec,
                                                               const MetricContext& context);

// The HPA's own tolerance (behavior.scaleUp/scaleDown.tolerance) where set, else the controller's.
Tolerance tolerance_of(const api::autoscaling::v2::HorizontalPodAutoscaler& hpa, double controller_tolerance);

// A per-pod average in thousandths as a quantity: 250 → "250m", 2000 → "2".
std::string milli_quantity(std::int64_t milli);

}  // namespace skiff::controllers
