// Rolls Deployments out through ReplicaSets named after the pod-template hash: RollingUpdate
// within maxSurge/maxUnavailable, or Recreate; revisions and history cleanup, paused
// Deployments, scaling, the Available and Progressing conditions with the progress deadline.
// `kubectl rollout undo` patches the template, which this controller then rolls out.
#pragma once

#include "controller.hpp"

namespace skiff::controllers {

class DeploymentController final : public Controller {
 public:
  explicit DeploymentController(ControllerContext& context) : Controller(context, "deployment-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  using RsPtr = std::shared_ptr<const apps::ReplicaSet>;
  struct Rollout;

  void on_replica_set(const RsPtr& rs);
  std::vector<RsPtr> claim_replica_sets(const apps::Deployment& d);
  // The ReplicaSet running the current template (created when `create` and missing).
  RsPtr new_replica_set(const apps::Deployment& d, Rollout& r, bool create);
  bool scale(const apps::Deployment& d, const RsPtr& rs, int replicas, Rollout& r);
  bool rolling_update(const apps::Deployment& d, Rollout& r);
  bool recreate(const apps::Deployment& d, Rollout& r);
  bool scale_old_down(const apps::Deployment& d, Rollout& r);
  bool proportional_scale(const apps::Deployment& d, Rollout& r);
  void cleanup(const apps::Deployment& d, Rollout& r);
  void sync_status(const apps::Deployment& d, Rollout& r);
};

}  // namespace skiff::controllers
