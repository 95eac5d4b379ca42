// The scheduler's picture of the cluster: every node with the pods bound to it, plus the
// pods it has placed itself but whose binding the informer has not shown yet ("assumed"),
// so that a burst of pods never over-commits a node. The scheduling cycle never reads it under
// its lock: it copies the nodes changed since its last cycle into its Snapshot.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"
#include "snapshot.hpp"

namespace skiff::sdk::scheduling {

class SchedulerCache {
 public:
  void set_node(NodePtr node);
  void remove_node(const std::string& name);
  // A pod the informer shows on a node (confirms an assumed one).
  void add_bound_pod(const PodPtr& pod);
  // Returns whether it was counted on a node.
  bool remove_pod(const std::string& key);
  void assume(PodInfoPtr pod, const std::string& node);
  void forget(const std::string& key);  // its binding failed
  bool is_assumed(const std::string& key) const;
  std::size_t node_count() const;

  // Brings the snapshot up to date: copies only the nodes changed since its last update.
  void update_snapshot(Snapshot& snapshot);

 private:
  struct PodState {
    PodInfoPtr info;
    std::string node;
    bool assumed = false;
  };
  void attach(const std::string& key, PodState& state);
  void detach(const std::string& key, const PodState& state);
  void touch(const std::string& node);  // changed since the snapshot's last update

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<NodeInfo>> nodes_;
  std::unordered_set<std::string> dirty_;  // nodes the snapshot has an old copy of (or none)
  std::uint64_t generation_ = 0;           // bumped by every change
  std::unordered_map<std::string, PodState> pods_;
  // Pods the informer showed on a node before the node itself arrived, by node name.
  std::unordered_map<std::string, std::unordered_set<std::string>> waiting_for_node_;
};

}  // namespace skiff::sdk::scheduling
