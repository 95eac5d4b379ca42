// What filters and scorers share: topology spread constraints on kubernetes.io/hostname.
#pragma once

#include <string>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::sdk::scheduling {

struct SpreadConstraint {
  LabelSelector selector;
  std::string namespace_;
  std::int64_t max_skew = 1;
  // Pods on the node in the constraint's namespace that its selector matches.
  std::int64_t count_on(const NodeInfo& node) const;
};

// The pod's constraints on kubernetes.io/hostname with this whenUnsatisfiable.
std::vector<SpreadConstraint> hostname_constraints(const api::core::v1::Pod& pod, const std::string& when_unsatisfiable);

}  // namespace skiff::sdk::scheduling
