// Where a DaemonSet's pods belong, as Kubernetes' NodeShouldRunDaemonPod decides: the node's
// labels (nodeSelector, required node affinity) and its taints against the template's
// tolerations plus those every daemon pod gets; and the pod made for one node, pinned to it
// by a required node affinity on metadata.name so the scheduler binds it there.
#pragma once

#include <string>

#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {

struct DaemonPlacement {
  bool should_run = false;           // a pod belongs here and may be created
  bool should_continue_running = false;  // an existing pod may stay (only NoExecute taints evict)
};

DaemonPlacement daemon_placement(const api::core::v1::PodTemplateSpec& pod_template, const api::core::v1::Node& node);

// The template's tolerations with those every daemon pod gets (AddOrUpdateDaemonPodTolerations):
// not-ready and unreachable NoExecute; disk, memory and pid pressure and unschedulable
// NoSchedule; network-unavailable NoSchedule for host-network pods.
void add_daemon_tolerations(api::core::v1::PodSpec& spec);

// Required node affinity on metadata.name = node, replacing any matchFields the template had.
void pin_to_node(api::core::v1::PodSpec& spec, const std::string& node);

// The node a daemon pod is on or pinned to ("" when neither).
std::string node_of_daemon_pod(const api::core::v1::Pod& pod);

// The pod for `node`: the template with the revision hash label, the daemon tolerations and
// the pin, owned by the DaemonSet.
api::core::v1::Pod daemon_pod(const api::apps::v1::DaemonSet& ds, const std::string& hash, const std::string& node);

}  // namespace skiff::controllers
