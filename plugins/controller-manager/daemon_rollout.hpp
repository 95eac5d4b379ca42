// What a DaemonSet sync does to its pods, decided from a snapshot (Kubernetes' manage and
// rollingUpdate): a pod on each node that should run one, none where it may not stay,
// failed pods replaced, and old-revision pods replaced within maxUnavailable or maxSurge.
#pragma once

#include <string>
#include <vector>

#include "daemon_placement.hpp"
#include "skiff/api/meta/v1/meta.pb.h"

namespace skiff::controllers {

struct DaemonPodView {
  std::string name;
  bool updated = false;    // carries the current revision's hash
  bool available = false;  // ready for minReadySeconds
  bool failed = false;
  std::string created;     // creationTimestamp, to keep the oldest
};

struct DaemonNodeView {
  std::string node;
  DaemonPlacement placement;
  std::vector<DaemonPodView> pods;  // live pods only (not being deleted)
};

struct DaemonRollout {
  bool rolling = true;  // RollingUpdate; false for OnDelete
  int max_unavailable = 1;
  int max_surge = 0;
};

struct DaemonPlan {
  std::vector<std::string> create_on;    // nodes
  std::vector<std::string> delete_pods;  // pod names
};

// maxUnavailable and maxSurge in nodes (percentages of `desired` rounded up); never both 0.
DaemonRollout daemon_rollout(const api::meta::v1::IntOrString* max_unavailable, const api::meta::v1::IntOrString* max_surge,
                             bool rolling, int desired);

DaemonPlan plan_daemon_pods(const std::vector<DaemonNodeView>& nodes, const DaemonRollout& rollout);

}  // namespace skiff::controllers
