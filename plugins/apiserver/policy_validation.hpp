// Validation of PodDisruptionBudgets with Kubernetes' messages and field paths
// (pkg/apis/policy/validation).
#pragma once

#include "api_error.hpp"
#include "skiff/api/policy/v1/policy.pb.h"

namespace skiff::apiserver {

// ValidatePodDisruptionBudget: minAvailable or maxUnavailable (never both), each a
// non-negative number or a percentage of at most 100%; the selector; the eviction policy.
void check_pod_disruption_budget(FieldErrors& errors, const api::policy::v1::PodDisruptionBudget& pdb);

}  // namespace skiff::apiserver
