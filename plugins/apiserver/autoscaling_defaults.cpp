// HorizontalPodAutoscaler defaults with Kubernetes' values (GenerateHPAScaleUpRules / ScaleDownRules).
#include "autoscaling_defaults.hpp"

namespace skiff::apiserver {
namespace {

namespace as = api::autoscaling::v2;

constexpr int kDefaultCpuUtilization = 80;

void add_policy(as::HPAScalingRules& rules, const char* type, int value, int period) {
  auto* p = rules.add_policies();
  p->set_type(type);
  p->set_value(value);
  p->set_period_seconds(period);
}

// Scale up: no stabilization; the larger of doubling or 4 pods per 15 s.
void default_scale_up(as::HPAScalingRules& rules) {
  if (!rules.has_stabilization_window_seconds()) rules.set_stabilization_window_seconds(0);
  if (!rules.has_select_policy()) rules.set_select_policy("Max");
  if (rules.policies().empty()) {
    add_policy(rules, "Pods", 4, 15);
    add_policy(rules, "Percent", 100, 15);
  }
}

// Scale down: the highest recommendation of the last 300 s; then all pods may go per 15 s.
void default_scale_down(as::HPAScalingRules& rules) {
  if (!rules.has_stabilization_window_seconds()) rules.set_stabilization_window_seconds(300);
  if (!rules.has_select_policy()) rules.set_select_policy("Max");
  if (rules.policies().empty()) add_policy(rules, "Percent", 100, 15);
}

}  // namespace

void default_horizontal_pod_autoscaler(as::HorizontalPodAutoscaler& hpa) {
  auto* spec = hpa.mutable_spec();
  if (!spec->has_min_replicas()) spec->set_min_replicas(1);
  if (spec->metrics().empty()) {
    auto* metric = spec->add_metrics();
    metric->set_type("Resource");
    metric->mutable_resource()->set_name("cpu");
    metric->mutable_resource()->mutable_target()->set_type("Utilization");
    metric->mutable_resource()->mutable_target()->set_average_utilization(kDefaultCpuUtilization);
  }
  if (spec->has_behavior()) {
    default_scale_up(*spec->mutable_behavior()->mutable_scale_up());
    default_scale_down(*spec->mutable_behavior()->mutable_scale_down());
  }
}

}  // namespace skiff::apiserver
