// A PodDisruptionBudget's status from the pods it selects, as Kubernetes' disruption
// controller computes it: expected pods, desired and current healthy, disruptions allowed,
// the disruptedPods the API granted and the DisruptionAllowed condition.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/policy/v1/policy.pb.h"

namespace skiff::controllers {

// The scale of a pod's controller: its uid (one controller counts once) and its replicas;
// nullopt when the controller is unknown or has no scale.
struct ControllerScale {
  std::string uid;
  int replicas = 0;
};
using ScaleLookup =
    std::function<std::optional<ControllerScale>(const std::string& ns, const api::meta::v1::OwnerReference& controller)>;

struct BudgetVerdict {
  api::policy::v1::PodDisruptionBudgetStatus status;
  std::string failure;     // why the status could not be computed (condition reason SyncFailed)
  int unmanaged_pods = 0;  // selected pods without a controller (a budget by percentage or maxUnavailable ignores them)
  // When the oldest granted disruption the pods have not confirmed yet expires.
  std::optional<std::chrono::seconds> recheck_in;
};

// How long an eviction the API granted is waited for before the pod counts again
// (Kubernetes' DeletionTimeout).
inline constexpr std::chrono::seconds kDisruptionTimeout{120};

// Does the budget select the pod? A budget without a selector selects none (policy/v1).
bool budget_selects(const api::policy::v1::PodDisruptionBudget& pdb, const api::core::v1::Pod& pod);

// Kubernetes' GetScaledValueFromIntOrPercent: a number, or a percentage of `total` rounded up.
int scaled_value(const api::meta::v1::IntOrString& value, int total);

// The budget's new status; `pods` are the ones it selects.
BudgetVerdict compute_budget(const api::policy::v1::PodDisruptionBudget& pdb,
                             const std::vector<std::shared_ptr<const api::core::v1::Pod>>& pods, const ScaleLookup& scale,
                             std::chrono::system_clock::time_point now);

}  // namespace skiff::controllers
