// Keeps each StatefulSet's pods "<set>-<ordinal>" for ordinals start … start+replicas-1:
// creates them (with their claims) in order, one ready before the next under OrderedReady
// or all at once under Parallel; removes the highest ordinals first on scale-down; replaces
// pods of an old revision from the highest ordinal down to the partition; keeps the
// revision history and reports status.
#pragma once

#include <map>

#include "controller.hpp"
#include "revision_history.hpp"

namespace skiff::controllers {

class StatefulSetController final : public Controller {
 public:
  explicit StatefulSetController(ControllerContext& context)
      : Controller(context, "statefulset-controller"), history_(context) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  using PodPtr = std::shared_ptr<const core::Pod>;
  // What one sync works from.
  struct Snapshot {
    apps::StatefulSet set;
    apps::ControllerRevision update;
    std::string current_name;
    core::PodTemplateSpec current_template;
    std::map<int, PodPtr> pods;  // by ordinal, every pod the set controls
    int start = 0;
    int replicas = 0;
  };

  void on_pod(const PodPtr& pod);
  Snapshot snapshot(const apps::StatefulSet& set);
  // Each false return means "wait: a pod is not ready yet" under OrderedReady.
  bool create_missing(const Snapshot& s);
  bool scale_down(const Snapshot& s);
  void roll(const Snapshot& s);
  void create_pod(const Snapshot& s, int ordinal);
  void create_claims(const apps::StatefulSet& set, int ordinal);
  void delete_pod(const apps::StatefulSet& set, const core::Pod& pod);
  void delete_scaled_claims(const Snapshot& s);
  void update_status(const Snapshot& s);

  RevisionHistory history_;
};

}  // namespace skiff::controllers
