// A pod's node selector and node affinity terms with their keys and values interned, compiled
// once per scheduling attempt so that matching a node compares integers only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

// One matchExpressions / matchFields requirement.
struct CompiledRequirement {
  enum class Op { In, NotIn, Exists, DoesNotExist, Gt, Lt, Never };
  Op op = Op::Never;
  bool on_name = false;          // matchFields metadata.name: compares the node's name
  LabelId key = kNoLabel;
  std::string key_text;          // for Gt / Lt, which read the value as a number
  std::vector<LabelId> values;   // In / NotIn, sorted; values no node carries are left out
  std::vector<std::string> names;  // the same for metadata.name
  long long bound = 0;           // Gt / Lt

  static CompiledRequirement compile(const api::core::v1::NodeSelectorRequirement& r, bool field);
  bool holds(const NodeInfo& node) const;
};

// Every requirement holds; an empty term matches nothing (as Kubernetes).
struct CompiledTerm {
  std::vector<CompiledRequirement> requirements;
  bool empty = true;

  static CompiledTerm compile(const api::core::v1::NodeSelectorTerm& term);
  bool matches(const NodeInfo& node) const;
};

// spec.nodeSelector and the required node affinity (any of its terms).
struct CompiledNodeRequirements {
  std::vector<std::pair<LabelId, LabelId>> selector;  // key, value: all must be on the node
  bool selector_unmatchable = false;                  // a key or value no node ever carried
  bool has_affinity = false;
  std::vector<CompiledTerm> terms;

  static CompiledNodeRequirements compile(const api::core::v1::Pod& pod);
  bool applies() const { return !selector.empty() || selector_unmatchable || has_affinity; }
  bool matches(const NodeInfo& node) const;
};

// Preferred node affinity: the weight of every term the node matches, summed.
struct CompiledPreferences {
  std::vector<std::pair<CompiledTerm, std::int64_t>> terms;
  static CompiledPreferences compile(const api::core::v1::Pod& pod);
  std::int64_t score(const NodeInfo& node) const;
};

}  // namespace skiff::sdk::scheduling
