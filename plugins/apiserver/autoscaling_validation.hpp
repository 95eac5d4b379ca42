// Validation of HorizontalPodAutoscalers with Kubernetes' messages and field paths
// (pkg/apis/autoscaling/validation).
#pragma once

#include "api_error.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::apiserver {

// ValidateHorizontalPodAutoscalerSpec: replica bounds (minReplicas ≥ 1: scale to zero is
// feature-gated in Kubernetes and not offered here), the target reference, each metric
// (its type, exactly its own source set, a sensible target) and the scaling behavior.
void check_horizontal_pod_autoscaler(FieldErrors& errors, const api::autoscaling::v2::HorizontalPodAutoscaler& hpa);

}  // namespace skiff::apiserver
