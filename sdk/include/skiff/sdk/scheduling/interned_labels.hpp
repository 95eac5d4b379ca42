// Label keys and values as small integers, so that the filter loop compares integers instead
// of hashing and comparing strings: every node's labels are interned once per change of the
// node, every pod's selectors once per scheduling attempt.
#pragma once

#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace skiff::sdk::scheduling {

using LabelId = std::uint32_t;
inline constexpr LabelId kNoLabel = 0;  // a string never interned: no node carries it

// Strings to ids for the life of the process (ids are never reused). Safe from any thread.
class LabelInterner {
 public:
  // The one table every node cache and pod shares.
  static LabelInterner& global();

  LabelId intern(std::string_view text);
  // Without adding it: kNoLabel when no node ever carried it (so nothing can match it).
  LabelId find(std::string_view text) const;
  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex mutex_;
  std::deque<std::string> texts_;  // stable addresses: the map's keys view them
  std::unordered_map<std::string_view, LabelId, Hash, std::equal_to<>> ids_;
};

// A node's labels as (key id, value id) pairs sorted by key. Up to kInline pairs live inside
// the set itself (one cache line, no pointer to chase while the filters walk thousands of
// nodes); more go to the heap and are binary-searched.
class LabelSet {
 public:
  using Pair = std::pair<LabelId, LabelId>;
  static constexpr std::size_t kInline = 8;

  LabelSet() = default;
  template <class Map>
  static LabelSet from(const Map& labels, LabelInterner& interner = LabelInterner::global()) {
    std::vector<Pair> pairs;
    pairs.reserve(labels.size());
    for (const auto& [key, value] : labels) pairs.emplace_back(interner.intern(key), interner.intern(value));
    return LabelSet(std::move(pairs));
  }
  // The value's id, or kNoLabel when the key is absent.
  LabelId value_of(LabelId key) const {
    if (size_ > kInline) return value_in_heap(key);
    for (std::uint32_t i = 0; i < size_; ++i)
      if (inline_[i].first >= key) return inline_[i].first == key ? inline_[i].second : kNoLabel;
    return kNoLabel;
  }
  bool has(LabelId key) const { return value_of(key) != kNoLabel; }
  std::size_t size() const { return size_; }

 private:
  explicit LabelSet(std::vector<Pair> pairs);
  LabelId value_in_heap(LabelId key) const;

  std::uint32_t size_ = 0;
  Pair inline_[kInline] = {};
  std::vector<Pair> heap_;  // every pair, when there are more than kInline
};

}  // namespace skiff::sdk::scheduling
