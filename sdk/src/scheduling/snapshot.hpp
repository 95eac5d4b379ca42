// What one scheduling cycle reads: a copy of the cache's nodes, refreshed at the start of each
// cycle with only the nodes that changed since (kube-scheduler's UpdateSnapshot). The filter and
// score loop reads it without any lock, so the informers' updates never wait for it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

class Snapshot {
 public:
  // Every node, sorted by name (the order the round-robin start index walks).
  const std::vector<const NodeInfo*>& nodes() const { return order_; }
  const NodeInfo* find(const std::string& name) const;
  std::uint64_t generation() const { return generation_; }

  // For the cache: a node added or changed (a fresh copy), or gone (nullptr).
  void put(const std::string& name, std::shared_ptr<const NodeInfo> copy);
  // Once every put of an update is done; `generation`: the cache's, which the copies reflect.
  void finish_update(std::uint64_t generation);

 private:
  struct Entry {
    std::shared_ptr<const NodeInfo> info;
    std::size_t position = 0;  // in order_ (until the membership changes)
  };
  std::unordered_map<std::string, Entry> by_name_;
  std::vector<const NodeInfo*> order_;
  bool membership_changed_ = false;  // order_ must be sorted again
  std::uint64_t generation_ = 0;
};

}  // namespace skiff::sdk::scheduling
