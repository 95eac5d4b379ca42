// Keeps exactly spec.replicas active pods for each ReplicaSet: adopts matching orphans,
// releases pods whose labels no longer match, creates in slow-start batches, deletes the
// least useful pods first, and reports status.
#pragma once

#include "controller.hpp"
#include "expectations.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::controllers {

class ReplicaSetController final : public Controller {
 public:
  explicit ReplicaSetController(ControllerContext& context) : Controller(context, "replicaset-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  void on_pod(const std::shared_ptr<const core::Pod>& old_pod, const std::shared_ptr<const core::Pod>& pod);
  void on_pod_deleted(const std::shared_ptr<const core::Pod>& pod);
  // ReplicaSets in the pod's namespace whose selector matches it.
  std::vector<std::string> matching_owners(const core::Pod& pod);
  std::vector<std::shared_ptr<const core::Pod>> claim_pods(const apps::ReplicaSet& rs);
  void release(const apps::ReplicaSet& rs, const core::Pod& pod);
  std::shared_ptr<const core::Pod> adopt(const apps::ReplicaSet& rs, const sdk::LabelSelector& selector,
                                         const core::Pod& pod);
  void create_pods(const apps::ReplicaSet& rs, const std::string& key, int count);
  // The active pods of the ReplicaSet's family (its own, and its siblings' under the same
  // Deployment): how doubled up a node is decides which pod goes first.
  std::vector<std::shared_ptr<const core::Pod>> related_pods(const apps::ReplicaSet& rs,
                                                             const std::vector<std::shared_ptr<const core::Pod>>& own);
  void delete_pods(const apps::ReplicaSet& rs, const std::string& key,
                   const std::vector<std::shared_ptr<const core::Pod>>& active, int count);
  bool update_status(const apps::ReplicaSet& rs, const std::vector<std::shared_ptr<const core::Pod>>& pods,
                     const std::string& create_failure);

  Expectations expectations_;
};

// The pod a ReplicaSet's template makes (generateName "<rs>-", owned by it).
core::Pod pod_from_template(const apps::ReplicaSet& rs);

}  // namespace skiff::controllers
