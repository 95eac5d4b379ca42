// What an HPA does with a recommendation (Kubernetes' normalizeDesiredReplicas and
// normalizeDesiredReplicasWithBehaviors): stabilization over a history of recommendations,
// then the scale-rate limits of the policies over the recent scale events, then min/max.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hpa_replicas.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::controllers {

struct TimedRecommendation {
  std::int32_t replicas = 0;
  WallTime at;
};

struct TimedScaleEvent {
  std::int32_t change = 0;  // always positive: pods added (scale up) or removed (scale down)
  WallTime at;
  bool outdated = false;
};

// One HPA's memory between syncs.
struct ScalingHistory {
  std::vector<TimedRecommendation> recommendations;
  std::vector<TimedScaleEvent> scale_ups, scale_downs;
};

// A condition the normalization sets: AbleToScale or ScalingLimited, with reason and message.
struct NormalizedCondition {
  std::string type, status, reason, message;
};

struct Normalized {
  std::int32_t replicas = 0;
  std::vector<NormalizedCondition> conditions;
};

struct ReplicaBounds {
  std::int32_t current = 0;
  std::int32_t min = 1;
  std::int32_t max = 1;
};

// Without spec.behavior: the highest recommendation of the downscale window, then at most
// max(2 × current, 4) and within min/max. Records `desired` in the history.
Normalized normalize_without_behavior(ScalingHistory& history, std::int32_t desired, ReplicaBounds bounds,
                                      std::chrono::seconds downscale_window, WallTime now);

// With spec.behavior (defaulted by the API): each direction's stabilization window, then
// its policies (Pods/Percent per period, Max/Min/Disabled) against the recent scale events.
Normalized normalize_with_behavior(ScalingHistory& history, std::int32_t desired, ReplicaBounds bounds,
                                   const api::autoscaling::v2::HorizontalPodAutoscalerBehavior& behavior, WallTime now);

// Remembers a rescale for the policies' periods (only with spec.behavior, as Kubernetes).
void record_scale_event(ScalingHistory& history, const api::autoscaling::v2::HorizontalPodAutoscalerBehavior& behavior,
                        std::int32_t from, std::int32_t to, WallTime now);

// The replicas the policies allow at most (scale up) or at least (scale down) now.
std::int32_t scale_up_limit(std::int32_t current, const ScalingHistory& history,
                            const api::autoscaling::v2::HPAScalingRules& rules, WallTime now);
std::int32_t scale_down_limit(std::int32_t current, const ScalingHistory& history,
                              const api::autoscaling::v2::HPAScalingRules& rules, WallTime now);

}  // namespace skiff::controllers
