// HorizontalPodAutoscaler between autoscaling/v1 (served) and autoscaling/v2 (stored), in
// Kubernetes JSON, as Kubernetes' pkg/apis/autoscaling/v1 conversion does it.
#pragma once

#include <boost/json/object.hpp>

namespace skiff::apiserver {

// What v1 cannot say travels in annotations, so a v1 client's read-modify-write keeps it.
// Kubernetes writes the metrics there in v2beta1's shape; Skiff writes v2's (documented).
inline constexpr const char* kHpaMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
inline constexpr const char* kHpaCurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
inline constexpr const char* kHpaConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
inline constexpr const char* kHpaBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

// targetCPUUtilizationPercentage becomes a cpu Utilization metric, currentCPUUtilizationPercentage
// a cpu current metric; the annotations above become metrics, behavior, current metrics and conditions.
boost::json::object hpa_v1_to_v2(boost::json::object v1);
// The other way: the first cpu Utilization metric (and its current value) as v1's fields, the rest as annotations.
boost::json::object hpa_v2_to_v1(boost::json::object v2);

}  // namespace skiff::apiserver
