// What one scheduling cycle reads: a copy of the cache's nodes, refreshed at the start of each
// cycle with only the nodes that changed since (kube-scheduler's UpdateSnapshot). The filter and
// score loop reads it without any lock, so the informers' updates never wait for it. The copies
// sit in one array in name order: the filters walk memory in sequence, not from pointer to
// pointer (at 5,000 nodes the cache misses were most of a cycle).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

class Snapshot {
 public:
  // Every node, sorted by name (the order the round-robin start index walks).
  const std::vector<const NodeInfo*>& nodes() const { return order_; }
  const NodeInfo* find(const std::string& name) const;
  std::uint64_t generation() const { return generation_; }

  // For the cache: a node added or changed (copied from `source`), or gone (nullptr).
  void put(const std::string& name, const NodeInfo* source);
  // Once every put of an update is done; `generation`: the cache's, which the copies reflect.
  void finish_update(std::uint64_t generation);

 private:
  void rebuild();  // after nodes were added or removed

  std::vector<NodeInfo> infos_;  // sorted by name
  std::vector<const NodeInfo*> order_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> position in infos_
  std::vector<NodeInfo> added_;                          // until finish_update
  std::unordered_set<std::string> removed_;
  std::uint64_t generation_ = 0;
};

}  // namespace skiff::sdk::scheduling
