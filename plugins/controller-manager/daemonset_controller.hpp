// Runs one pod of each DaemonSet on every node that should run it (placement by the
// scheduler through a node-name affinity), replaces old-revision pods as the update
// strategy allows, keeps the revision history and reports status.
#pragma once

#include "controller.hpp"
#include "daemon_rollout.hpp"
#include "expectations.hpp"
#include "revision_history.hpp"

namespace skiff::controllers {

class DaemonSetController final : public Controller {
 public:
  explicit DaemonSetController(ControllerContext& context)
      : Controller(context, "daemonset-controller"), history_(context) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  enum class PodEvent { Added, Changed, Deleted };  // Deleted: gone, or its graceful deletion began
  void on_pod(const std::shared_ptr<const core::Pod>& pod, PodEvent event);
  void enqueue_all();
  std::vector<std::shared_ptr<const core::Pod>> owned_pods(const apps::DaemonSet& ds);
  std::vector<DaemonNodeView> node_views(const apps::DaemonSet& ds, const std::string& hash,
                                         const std::vector<std::shared_ptr<const core::Pod>>& pods);
  void apply(const apps::DaemonSet& ds, const std::string& key, const std::string& hash, const DaemonPlan& plan);
  void update_status(const apps::DaemonSet& ds, const std::vector<DaemonNodeView>& views);

  Expectations expectations_;
  RevisionHistory history_;
};

}  // namespace skiff::controllers
