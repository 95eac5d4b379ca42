// The node lifecycle controller's decisions, as Kubernetes makes them: the condition taints a
// node should carry, how its conditions read once its kubelet falls silent, and how long a
// pod may stay on a node with a NoExecute taint (the taint manager's tolerations rule).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {

inline constexpr const char* kUnreachableTaint = "node.kubernetes.io/unreachable";
inline constexpr const char* kNotReadyTaint = "node.kubernetes.io/not-ready";

// Kubernetes' Toleration.ToleratesTaint.
bool tolerates(const api::core::v1::Toleration& toleration, const api::core::v1::Taint& taint);

// How long `pod` may stay once a NoExecute `taint` is on its node: nullopt when it tolerates
// the taint for ever, 0 when it does not tolerate it. The not-ready and unreachable taints
// are tolerated for `default_timeout` by a pod that says nothing about them (Kubernetes'
// DefaultTolerationSeconds admission gives every pod these two tolerations).
std::optional<std::chrono::milliseconds> eviction_delay(const api::core::v1::Pod& pod, const api::core::v1::Taint& taint,
                                                        std::chrono::milliseconds default_timeout);

// The node's taints with unreachable (Ready=Unknown) or not-ready (Ready=False) taints, both
// NoSchedule and NoExecute, as the Ready condition asks; a kept taint keeps its timeAdded.
// nullopt when the node already carries exactly those.
std::optional<google::protobuf::RepeatedPtrField<api::core::v1::Taint>> condition_taints(const api::core::v1::Node& node,
                                                                                     bool unreachable, bool not_ready,
                                                                                     const std::string& now);

// A node whose kubelet stopped posting: Ready and the pressure conditions turn Unknown (a
// missing one is added as never updated); other conditions are left alone.
void mark_conditions_unknown(api::core::v1::Node& node, const std::string& now);

}  // namespace skiff::controllers
