// What the garbage collector does with an object that has owners, decided from what became
// of each owner — Kubernetes' attemptToDeleteItem: solid owners keep it, owners that are
// gone or deleting in the foreground lose their references; with no solid owner left the
// object is deleted (in the foreground when a foreground owner waits and it has dependents
// of its own).
#pragma once

#include <string>
#include <vector>

#include "skiff/api/meta/v1/meta.pb.h"

namespace skiff::controllers {

enum class OwnerState {
  Present,               // exists, same uid, not being deleted in the foreground ("solid")
  Absent,                // gone, or the name now belongs to another object ("dangling")
  DeletingInForeground,  // deleted with foregroundDeletion: waits for its dependents
};

struct OwnerDecision {
  enum class Action { Keep, RemoveReferences, Delete };
  Action action = Action::Keep;
  std::vector<std::string> remove_uids;  // RemoveReferences: the owner uids to drop
  std::string propagation;               // Delete: Background, Foreground or Orphan
};

// `states[i]` is what became of meta.owner_references(i). `has_dependents`: something names
// this object as its owner.
OwnerDecision decide_for_dependent(const api::meta::v1::ObjectMeta& meta, const std::vector<OwnerState>& states,
                                   bool has_dependents);

}  // namespace skiff::controllers
