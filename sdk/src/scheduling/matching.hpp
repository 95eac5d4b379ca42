// Node selector terms, tolerations and pod label selectors, as the stages match them.
#pragma once

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

// Every expression and field requirement holds (an empty term matches nothing).
bool node_matches_term(const api::core::v1::NodeSelectorTerm& term, const NodeInfo& node);
// spec.nodeSelector and the required node affinity (any of its terms).
bool node_matches_pod_requirements(const api::core::v1::Pod& pod, const NodeInfo& node);
// Whether the pod has either (if not, every node matches).
bool has_node_requirements(const api::core::v1::Pod& pod);
bool tolerates(const api::core::v1::Toleration& toleration, const api::core::v1::Taint& taint);
bool tolerates_any(const google::protobuf::RepeatedPtrField<api::core::v1::Toleration>& tolerations,
                   const api::core::v1::Taint& taint);

inline constexpr const char* kHostnameKey = "kubernetes.io/hostname";

}  // namespace skiff::sdk::scheduling
