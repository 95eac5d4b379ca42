#include "snapshot.hpp"

#include <algorithm>

namespace skiff::sdk::scheduling {

const NodeInfo* Snapshot::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.info.get();
}

void Snapshot::put(const std::string& name, std::shared_ptr<const NodeInfo> copy) {
  auto it = by_name_.find(name);
  if (!copy) {
    if (it != by_name_.end()) {
      by_name_.erase(it);
      membership_changed_ = true;
    }
    return;
  }
  if (it == by_name_.end()) {
    by_name_.emplace(name, Entry{std::move(copy), 0});
    membership_changed_ = true;
    return;
  }
  it->second.info = std::move(copy);
  if (!membership_changed_) order_[it->second.position] = it->second.info.get();
}

void Snapshot::finish_update(std::uint64_t generation) {
  generation_ = generation;
  if (!membership_changed_) return;
  // Rare (a node added or removed): sort the names again.
  std::vector<Entry*> entries;
  entries.reserve(by_name_.size());
  for (auto& [name, entry] : by_name_) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) { return a->info->name() < b->info->name(); });
  order_.clear();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i]->position = i;
    order_.push_back(entries[i]->info.get());
  }
  membership_changed_ = false;
}

}  // namespace skiff::sdk::scheduling
