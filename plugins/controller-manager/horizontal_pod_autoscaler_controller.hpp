// Kubernetes' horizontal-pod-autoscaler controller: every sync period it reads each HPA's
// target through its scale (Deployments, ReplicaSets, StatefulSets), the pods' usage from the
// metrics provider, computes the replicas the metrics ask for, stabilizes and rate-limits them,
// rescales the target, and writes the HPA's status, conditions and events.
#pragma once

#include <map>
#include <mutex>

#include "controller.hpp"
#include "hpa_behavior.hpp"
#include "hpa_metrics.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::controllers {

struct HpaOptions {
  std::chrono::milliseconds sync_period{15000};
  double tolerance = 0.1;
  std::chrono::seconds downscale_stabilization{300};
  CpuReadiness cpu;
};

class HorizontalPodAutoscalerController final : public Controller {
 public:
  HorizontalPodAutoscalerController(ControllerContext& context, sdk::Bus& bus, const sdk::Subjects& subjects,
                                    HpaOptions options)
      : Controller(context, "horizontal-pod-autoscaler"), metrics_(bus, subjects), options_(options) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  struct Target;
  struct MetricsOutcome;
  struct Decision;

  sdk::SharedInformer& autoscalers();
  // Kubernetes' reconcileAutoscaler, on `hpa` (a copy whose status it fills).
  void reconcile(const std::string& key, api::autoscaling::v2::HorizontalPodAutoscaler& hpa, WallTime now);
  // The replicas the target should have: back within min/max, or what the metrics ask, normalized.
  Decision decide(const std::string& key, api::autoscaling::v2::HorizontalPodAutoscaler& hpa, const Target& target,
                  WallTime now);
  // Writes the new size; the condition, event and scale history say how it went. False when it failed.
  bool rescale_target(const std::string& key, api::autoscaling::v2::HorizontalPodAutoscaler& hpa, const Target& target,
                      const Decision& decision, WallTime now);
  std::optional<Target> target_of(api::autoscaling::v2::HorizontalPodAutoscaler& hpa, WallTime now);
  // computeReplicasForMetrics: the highest proposal of the metrics that could be read.
  MetricsOutcome replicas_for_metrics(api::autoscaling::v2::HorizontalPodAutoscaler& hpa, const Target& target,
                                      WallTime now);
  std::int32_t normalize(const std::string& key, api::autoscaling::v2::HorizontalPodAutoscaler& hpa,
                         std::int32_t current, std::int32_t desired, WallTime now);
  void rescale(const Target& target, std::int32_t replicas);
  void write_status(const api::autoscaling::v2::HorizontalPodAutoscaler& before,
                    const api::autoscaling::v2::HorizontalPodAutoscaler& after);
  // One periodic sync per HPA, however often events also queue it.
  void schedule(const std::string& key, WallTime now);

  ResourceMetricsClient metrics_;
  HpaOptions options_;
  std::mutex mutex_;
  std::map<std::string, ScalingHistory> history_;
  std::map<std::string, WallTime> next_sync_;
};

}  // namespace skiff::controllers
