// The stages a scheduler is built from: filters say whether a pod can go on a node (and
// why not), scorers rank the nodes that can take it. Each is a small class; a scheduler
// plugin is a list of them with weights, declared in its config. Third-party schedulers add
// their own by implementing these and handing them to sdk::scheduling::Scheduler.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

// Every node of the cluster as the scheduler currently sees it.
struct ClusterView {
  const std::vector<const NodeInfo*>& nodes;
};

class Filter {
 public:
  virtual ~Filter() = default;
  virtual std::string_view name() const = 0;
  // Once per pod, before the nodes are filtered (precompute what every node needs).
  virtual void prepare(const PodInfo& /*pod*/, const ClusterView& /*cluster*/) {}
  // Adds each reason the pod cannot go on this node, in Kubernetes' words ("Insufficient
  // cpu"); adds nothing when it can. Called from one thread at a time, unless parallel_safe().
  virtual void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const = 0;
  // Whether filter() may run for several nodes at once on the scheduler's worker threads (it
  // only reads what prepare() left). When any filter says no, the nodes are filtered on one thread.
  virtual bool parallel_safe() const { return false; }
  // Kubernetes' PreBind: once a node is chosen, before the pod is bound to it (volume binding
  // writes the claims' selected node here). A throw fails the binding; the pod is tried again.
  virtual void pre_bind(const PodInfo& /*pod*/, const std::string& /*node*/) {}
};

inline constexpr std::int64_t kMaxNodeScore = 100;

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::string_view name() const = 0;
  virtual void prepare(const PodInfo& /*pod*/, const std::vector<const NodeInfo*>& /*feasible*/) {}
  // Higher is better; 0..100 unless normalize() maps it there.
  virtual std::int64_t score(const PodInfo& pod, const NodeInfo& node) const = 0;
  // As Filter::parallel_safe(), for score().
  virtual bool parallel_safe() const { return false; }
  virtual void normalize(std::vector<std::int64_t>& /*scores*/) const {}
};

// The built-in stages by the names Kubernetes gives them:
//   filters: NodeUnschedulable, NodeResourcesFit, NodeAffinity (nodeSelector and required
//            affinity), TaintToleration, NodePorts, InterPodAffinity (anti-affinity on
//            kubernetes.io/hostname), PodTopologySpread (DoNotSchedule on hostname)
//   scorers: LeastAllocated, MostAllocated, BalancedAllocation, NodeAffinity (preferred
//            terms), TaintToleration (PreferNoSchedule), PodTopologySpread, OwnerColocation
//            (nodes running more pods of the same controller first; Skiff's own)
// Both return nullptr for an unknown name.
std::unique_ptr<Filter> make_filter(std::string_view name);
std::unique_ptr<Scorer> make_scorer(std::string_view name);
std::vector<std::string> filter_names();
std::vector<std::string> scorer_names();
// Kubernetes' default scoring: LeastAllocated 1, BalancedAllocation 1, NodeAffinity 2,
// TaintToleration 3, PodTopologySpread 2 (what SchedulerOptions::scorers means when unset).
std::vector<std::pair<std::string, int>> default_scorers();

// "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}."
// from the reasons each node gave (one node may give several).
std::string unschedulable_message(std::size_t node_count, const std::vector<std::vector<std::string>>& reasons_per_node);

}  // namespace skiff::sdk::scheduling
