// The DaemonSet's per-sync plan: placement first, then the rolling update's replacements.
#include "daemon_rollout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace skiff::controllers {
namespace {

int scaled(const api::meta::v1::IntOrString* value, int total, int otherwise) {
  if (!value) return otherwise;
  if (value->type() == 0) return value->int_val();
  const std::string& text = value->str_val();
  if (text.empty() || text.back() != '%') return std::atoi(text.c_str());
  return static_cast<int>(std::ceil(total * std::atoi(text.c_str()) / 100.0));
}

// The node's pods, old and new, after placement kept them.
struct Kept {
  const DaemonPodView* old_pod = nullptr;
  const DaemonPodView* new_pod = nullptr;
};

// One pod per node (the oldest of each revision; with surge an old and a new may overlap),
// failed ones replaced; everything on a node the pods may not stay on deleted.
Kept place(const DaemonNodeView& node, const DaemonRollout& rollout, DaemonPlan& plan) {
  Kept kept;
  if (!node.placement.should_continue_running || (!node.placement.should_run && node.pods.empty())) {
    for (const auto& pod : node.pods) plan.delete_pods.push_back(pod.name);
    return kept;
  }
  std::vector<const DaemonPodView*> running;
  for (const auto& pod : node.pods) {
    if (pod.failed) plan.delete_pods.push_back(pod.name);
    else running.push_back(&pod);
  }
  std::sort(running.begin(), running.end(), [](const auto* a, const auto* b) { return a->created < b->created; });
  for (const auto* pod : running) {
    const DaemonPodView*& slot = pod->updated ? kept.new_pod : kept.old_pod;
    bool both_allowed = rollout.rolling && rollout.max_surge > 0;
    bool other_taken = (pod->updated ? kept.old_pod : kept.new_pod) != nullptr;
    if (slot || (other_taken && !both_allowed)) plan.delete_pods.push_back(pod->name);
    else slot = pod;
  }
  if (node.placement.should_run && running.empty()) plan.create_on.push_back(node.node);
  return kept;
}

void replace_within_unavailable(const std::vector<std::pair<const DaemonNodeView*, Kept>>& nodes, int max_unavailable,
                                DaemonPlan& plan) {
  int unavailable = 0;
  for (const auto& [node, kept] : nodes) {
    const DaemonPodView* pod = kept.new_pod ? kept.new_pod : kept.old_pod;
    if (!pod || !pod->available) ++unavailable;
  }
  for (const auto& [node, kept] : nodes) {
    if (!kept.old_pod || kept.new_pod) continue;
    if (!kept.old_pod->available) {
      plan.delete_pods.push_back(kept.old_pod->name);  // already down: replacing it costs nothing
    } else if (unavailable < max_unavailable) {
      plan.delete_pods.push_back(kept.old_pod->name);
      ++unavailable;
    }
  }
}

void replace_with_surge(const std::vector<std::pair<const DaemonNodeView*, Kept>>& nodes, int max_surge, DaemonPlan& plan) {
  int surging = 0;
  for (const auto& [node, kept] : nodes)
    if (kept.old_pod && kept.new_pod && !kept.new_pod->available) ++surging;
  for (const auto& [node, kept] : nodes) {
    if (!kept.old_pod) continue;
    if (kept.new_pod) {
      if (kept.new_pod->available) plan.delete_pods.push_back(kept.old_pod->name);
    } else if (!kept.old_pod->available || surging < max_surge) {
      if (kept.old_pod->available) ++surging;
      plan.create_on.push_back(node->node);
    }
  }
}

}  // namespace

DaemonRollout daemon_rollout(const api::meta::v1::IntOrString* max_unavailable, const api::meta::v1::IntOrString* max_surge,
                             bool rolling, int desired) {
  DaemonRollout rollout;
  rollout.rolling = rolling;
  rollout.max_surge = std::max(0, scaled(max_surge, desired, 0));
  rollout.max_unavailable = std::max(0, scaled(max_unavailable, desired, 1));
  if (rollout.max_surge == 0 && rollout.max_unavailable == 0) rollout.max_unavailable = 1;
  return rollout;
}

DaemonPlan plan_daemon_pods(const std::vector<DaemonNodeView>& nodes, const DaemonRollout& rollout) {
  DaemonPlan plan;
  std::vector<std::pair<const DaemonNodeView*, Kept>> eligible;
  for (const auto& node : nodes) {
    Kept kept = place(node, rollout, plan);
    if (node.placement.should_run) eligible.emplace_back(&node, kept);
  }
  if (!rollout.rolling) return plan;
  if (rollout.max_surge > 0) replace_with_surge(eligible, rollout.max_surge, plan);
  else replace_within_unavailable(eligible, rollout.max_unavailable, plan);
  return plan;
}

}  // namespace skiff::controllers
