#include "snapshot.hpp"

#include <algorithm>

namespace skiff::sdk::scheduling {

const NodeInfo* Snapshot::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &infos_[it->second];
}

void Snapshot::put(const std::string& name, const NodeInfo* source) {
  auto it = index_.find(name);
  if (!source) {
    if (it != index_.end()) removed_.insert(name);
    return;
  }
  if (it != index_.end()) {
    infos_[it->second] = *source;  // in place: the array and order_ stay as they are
    removed_.erase(name);
    return;
  }
  added_.push_back(*source);
}

void Snapshot::finish_update(std::uint64_t generation) {
  generation_ = generation;
  if (!added_.empty() || !removed_.empty()) rebuild();
}

void Snapshot::rebuild() {
  // Rare (a node added or removed): a fresh array in name order.
  std::vector<NodeInfo> all;
  all.reserve(infos_.size() + added_.size());
  for (auto& info : infos_)
    if (!removed_.count(info.name())) all.push_back(std::move(info));
  for (auto& info : added_) all.push_back(std::move(info));
  std::sort(all.begin(), all.end(), [](const NodeInfo& a, const NodeInfo& b) { return a.name() < b.name(); });
  infos_ = std::move(all);
  added_.clear();
  removed_.clear();
  index_.clear();
  order_.clear();
  order_.reserve(infos_.size());
  for (std::size_t i = 0; i < infos_.size(); ++i) {
    index_.emplace(infos_[i].name(), i);
    order_.push_back(&infos_[i]);
  }
}

}  // namespace skiff::sdk::scheduling
