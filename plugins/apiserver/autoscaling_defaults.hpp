// Defaults of HorizontalPodAutoscalers, as Kubernetes' autoscaling/v2 SetDefaults_HorizontalPodAutoscaler.
#pragma once

#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::apiserver {

// minReplicas 1; no metrics → cpu at 80% utilization; a behavior that is set gets every
// unset rule, window, select policy and policy list filled with Kubernetes' defaults.
void default_horizontal_pod_autoscaler(api::autoscaling::v2::HorizontalPodAutoscaler& hpa);

}  // namespace skiff::apiserver
