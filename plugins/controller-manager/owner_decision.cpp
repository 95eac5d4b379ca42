// Kubernetes' garbage collector rules, as a function of the owners' states.
#include "owner_decision.hpp"

#include <algorithm>

namespace skiff::controllers {

namespace {

bool has_finalizer(const api::meta::v1::ObjectMeta& meta, const std::string& finalizer) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) != meta.finalizers().end();
}

}  // namespace

OwnerDecision decide_for_dependent(const api::meta::v1::ObjectMeta& meta, const std::vector<OwnerState>& states,
                                   bool has_dependents) {
  OwnerDecision decision;
  // Being deleted is a one-way trip: wait for it to finish.
  if (!meta.deletion_timestamp().empty() || meta.owner_references().empty()) return decision;
  bool solid = false, waiting = false;
  std::vector<std::string> not_solid;
  for (int i = 0; i < meta.owner_references_size() && i < static_cast<int>(states.size()); ++i) {
    if (states[i] == OwnerState::Present) solid = true;
    else not_solid.push_back(meta.owner_references(i).uid());
    waiting |= states[i] == OwnerState::DeletingInForeground;
  }
  if (solid) {
    // A reference to a foreground owner must go too, or that owner waits for ever.
    if (!not_solid.empty()) {
      decision.action = OwnerDecision::Action::RemoveReferences;
      decision.remove_uids = std::move(not_solid);
    }
    return decision;
  }
  decision.action = OwnerDecision::Action::Delete;
  if (waiting && has_dependents) decision.propagation = "Foreground";
  else if (has_finalizer(meta, "orphan")) decision.propagation = "Orphan";
  else if (has_finalizer(meta, "foregroundDeletion")) decision.propagation = "Foreground";
  else decision.propagation = "Background";
  return decision;
}

}  // namespace skiff::controllers
