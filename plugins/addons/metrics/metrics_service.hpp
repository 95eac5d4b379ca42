// The metrics provider on the bus: answers skiff.<c>.metrics.nodes and .pods (what the
// apiserver turns into metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics) from the usage store,
// filtered by namespace, name and label selector.
#pragma once

#include <string>
#include <vector>

#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "usage_store.hpp"

namespace skiff::metrics {

// Quantities as metrics-server writes them: CPU in nanocores ("1250000n"), memory in Ki when
// whole kibibytes, else bytes.
std::string cpu_quantity(std::uint64_t nano_cores);
std::string memory_quantity(std::uint64_t bytes);
// A window as a Go duration: "10s", "9.987s".
std::string window_text(std::chrono::milliseconds window);

api::metrics::v1beta1::NodeMetrics node_metrics(const NodeUsage& usage);
api::metrics::v1beta1::PodMetrics pod_metrics(const PodUsage& usage);

class MetricsService {
 public:
  MetricsService(sdk::Bus& bus, const sdk::Subjects& subjects, const UsageStore& store);
  void start();
  void stop();

  api::metrics::v1beta1::MetricsResponse nodes(const api::metrics::v1beta1::MetricsRequest& request) const;
  api::metrics::v1beta1::MetricsResponse pods(const api::metrics::v1beta1::MetricsRequest& request) const;

 private:
  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  const UsageStore& store_;
  std::vector<sdk::Subscription> services_;
};

}  // namespace skiff::metrics
