// What the scheduling stages see: a pod with its requests worked out once, and a node with
// the pods bound (or assumed) to it and what they already take.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/scheduling/interned_labels.hpp"

namespace skiff::sdk::scheduling {

using PodPtr = std::shared_ptr<const api::core::v1::Pod>;
using NodePtr = std::shared_ptr<const api::core::v1::Node>;

struct Resources {
  std::int64_t milli_cpu = 0;
  std::int64_t memory = 0;  // bytes
  std::int64_t pods = 0;

  Resources& operator+=(const Resources& o) {
    milli_cpu += o.milli_cpu;
    memory += o.memory;
    pods += o.pods;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    milli_cpu -= o.milli_cpu;
    memory -= o.memory;
    pods -= o.pods;
    return *this;
  }
};

// What a pod asks for: the sum over its containers, or its largest init container if that is
// more (init containers run one at a time); pods = 1.
Resources pod_requests(const api::core::v1::Pod& pod);
// The same with Kubernetes' defaults for containers that ask for nothing (100m CPU, 200Mi),
// so that scoring still spreads pods that declare no requests.
Resources pod_requests_for_scoring(const api::core::v1::Pod& pod);
// status.allocatable (else capacity); a node that declares no pods capacity gets 110.
Resources node_allocatable(const api::core::v1::Node& node);

struct HostPort {
  std::string protocol;  // TCP when unset
  std::string ip;        // "0.0.0.0" when unset: every address
  int port = 0;
  // Two ports clash when protocol and port match and either listens on every address.
  bool clashes_with(const HostPort& other) const;
};

struct PodInfo {
  explicit PodInfo(PodPtr pod);

  PodPtr pod;
  std::string key;  // namespace/name
  Resources requests;
  Resources scoring_requests;
  std::vector<HostPort> host_ports;
  std::string owner_uid;  // the controller that owns it, if any (for default spreading)
  bool has_required_anti_affinity = false;
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

// Copied into the scheduler's snapshot whenever it changes: what comes from the Node object
// (labels as strings, taints) is shared between copies, built once per change of the node; the
// interned labels are its own (a few integers).
class NodeInfo {
 public:
  explicit NodeInfo(NodePtr node);

  const std::string& name() const { return name_; }
  const api::core::v1::Node& node() const { return *node_; }
  // The node's label `key`, or nullptr: from a copy made once, as every filter asks.
  const std::string* label(const std::string& key) const {
    auto it = facts_->labels.find(key);
    return it == facts_->labels.end() ? nullptr : &it->second;
  }
  // The same labels interned (LabelInterner::global()): what the built-in stages compare.
  const LabelSet& labels() const { return label_set_; }
  // The taints with effect NoSchedule or NoExecute / PreferNoSchedule, in the node's order.
  const std::vector<const api::core::v1::Taint*>& hard_taints() const { return has_taints_ ? facts_->hard_taints : kNoTaints; }
  const std::vector<const api::core::v1::Taint*>& soft_taints() const { return has_taints_ ? facts_->soft_taints : kNoTaints; }
  bool unschedulable() const { return unschedulable_; }
  bool has_taints() const { return has_taints_; }
  void set_node(NodePtr node);

  const Resources& allocatable() const { return allocatable_; }
  const Resources& requested() const { return requested_; }
  const Resources& scoring_requested() const { return scoring_requested_; }
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  const std::vector<PodInfoPtr>& pods() const { return pods_; }
  // The few pods that repel others: what every placement must check against.
  const std::vector<PodInfoPtr>& pods_with_required_anti_affinity() const { return repelling_; }

  void add_pod(PodInfoPtr pod);
  bool remove_pod(const std::string& key);

 private:
  struct Facts {
    std::unordered_map<std::string, std::string> labels;
    std::vector<const api::core::v1::Taint*> hard_taints;  // point into the Node the NodeInfo holds
    std::vector<const api::core::v1::Taint*> soft_taints;
  };
  static const std::vector<const api::core::v1::Taint*> kNoTaints;
  // What every filter reads first, together: one node is a few cache lines, not a pointer chase.
  bool unschedulable_ = false;
  bool has_taints_ = false;
  LabelSet label_set_;
  NodePtr node_;
  std::shared_ptr<const Facts> facts_;
  std::string name_;
  Resources allocatable_;
  Resources requested_;
  Resources scoring_requested_;
  std::vector<HostPort> used_ports_;
  std::vector<PodInfoPtr> pods_;
  std::vector<PodInfoPtr> repelling_;
};

}  // namespace skiff::sdk::scheduling
