// Kubernetes' disruption controller: keeps each PodDisruptionBudget's status (expected pods
// from the pods' controllers' scale, current and desired healthy, disruptions allowed, the
// DisruptionAllowed condition) so the eviction API can tell whether a pod may go.
#pragma once

#include "controller.hpp"
#include "disruption_budget.hpp"

namespace skiff::controllers {

class DisruptionController final : public Controller {
 public:
  explicit DisruptionController(ControllerContext& context) : Controller(context, "disruption-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  sdk::SharedInformer& budgets();
  // Budgets in the pod's namespace that select it.
  void enqueue_budgets_of(const core::Pod& pod);
  // The replicas of a pod's controller, through the chain a Deployment's pods have
  // (pod → ReplicaSet → Deployment), or a StatefulSet.
  std::optional<ControllerScale> scale_of(const std::string& ns, const api::meta::v1::OwnerReference& controller);
};

}  // namespace skiff::controllers
