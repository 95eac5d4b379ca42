// Which pods a ReplicaSet deletes first when it has too many, in Kubernetes' order
// (controller.ActivePodsWithRanks): the least useful pod goes first.
#pragma once

#include <memory>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

// A pod and how many active pods of its owner's family share its node: a doubled-up node
// gives up a pod before a node running only one.
struct RankedPod {
  const api::core::v1::Pod* pod = nullptr;
  int colocated = 0;
};

// True when `a` should be deleted before `b`: unassigned before assigned; Pending before
// Unknown before Running; not ready before ready; lower controller.kubernetes.io/pod-deletion-cost
// first; more colocated first; ready for less time first; more container restarts first;
// newer first. Times compare on a logarithmic scale around `now` (pods of about the same age
// tie and are ordered by UID), as Kubernetes' LogarithmicScaleDown does.
bool delete_before(const RankedPod& a, const RankedPod& b, sdk::WallClock::time_point now);

// The `count` pods of `pods` to delete first. `related` are the active pods of the owner's
// family (its own and its sibling ReplicaSets'), which decide how doubled-up a node is.
std::vector<std::shared_ptr<const api::core::v1::Pod>> pods_to_delete(
    const std::vector<std::shared_ptr<const api::core::v1::Pod>>& pods,
    const std::vector<std::shared_ptr<const api::core::v1::Pod>>& related, int count,
    sdk::WallClock::time_point now = sdk::WallClock::now());

}  // namespace skiff::controllers
