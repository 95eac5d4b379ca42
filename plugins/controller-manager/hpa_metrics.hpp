// The HPA's view of metrics.k8s.io: pod usage from the cluster's metrics provider (a bus
// request to skiff.<c>.metrics.pods, as Kubernetes' HPA reads PodMetrics through the API).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "hpa_replicas.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::controllers {

// One pod's usage of one resource, summed over its containers (or one container), in thousandths.
struct PodMetric {
  std::int64_t value = 0;
  PodSampleTimes times;
};
using PodMetrics = std::map<std::string, PodMetric>;  // by pod name

class ResourceMetricsClient {
 public:
  ResourceMetricsClient(sdk::Bus& bus, sdk::Subjects subjects) : bus_(bus), subjects_(std::move(subjects)) {}

  // GetResourceMetric: usage of `resource` by the pods of `ns` the selector matches; only
  // `container` when it is not empty. A pod whose sample lacks the resource is left out.
  // The error is worded as Kubernetes' metrics client words it.
  std::variant<PodMetrics, std::string> resource_metric(const std::string& resource, const std::string& ns,
                                                        const std::string& selector, const std::string& container) const;

 private:
  sdk::Bus& bus_;
  sdk::Subjects subjects_;
};

}  // namespace skiff::controllers
