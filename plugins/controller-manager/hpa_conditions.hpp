// An HPA's status conditions (AbleToScale, ScalingActive, ScalingLimited), set as Kubernetes'
// setCondition does: the transition time moves only when the status changes.
#pragma once

#include <string>

#include "hpa_replicas.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"

namespace skiff::controllers {

void set_hpa_condition(api::autoscaling::v2::HorizontalPodAutoscalerStatus& status, const std::string& type,
                       const std::string& value, const std::string& reason, const std::string& message, WallTime now);

}  // namespace skiff::controllers
