#include "skiff/sdk/scheduling/interned_labels.hpp"

#include <algorithm>
#include <mutex>

namespace skiff::sdk::scheduling {

LabelInterner& LabelInterner::global() {
  static LabelInterner interner;
  return interner;
}

LabelId LabelInterner::intern(std::string_view text) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  }
  std::unique_lock lock(mutex_);
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;  // another thread added it meanwhile
  const std::string& stored = texts_.emplace_back(text);
  auto id = static_cast<LabelId>(texts_.size());  // ids start at 1: 0 is kNoLabel
  ids_.emplace(std::string_view(stored), id);
  return id;
}

LabelId LabelInterner::find(std::string_view text) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(text);
  return it == ids_.end() ? kNoLabel : it->second;
}

std::size_t LabelInterner::size() const {
  std::shared_lock lock(mutex_);
  return texts_.size();
}

LabelSet::LabelSet(std::vector<Pair> pairs) : size_(static_cast<std::uint32_t>(pairs.size())) {
  std::sort(pairs.begin(), pairs.end());
  if (pairs.size() <= kInline) std::copy(pairs.begin(), pairs.end(), inline_);
  else heap_ = std::move(pairs);
}

LabelId LabelSet::value_in_heap(LabelId key) const {
  auto it = std::lower_bound(heap_.begin(), heap_.end(), key, [](const Pair& pair, LabelId k) { return pair.first < k; });
  return it != heap_.end() && it->first == key ? it->second : kNoLabel;
}

}  // namespace skiff::sdk::scheduling
