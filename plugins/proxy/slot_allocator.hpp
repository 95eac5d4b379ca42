// Ranges of the global endpoint-slots map, one per service port and traffic kind: numgen picks
// a slot in [base, base + count), so an endpoint change rewrites a few elements, not a map.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace skiff::proxy::nft {

struct SlotRange {
  std::uint32_t base = 0;
  std::uint32_t capacity = 0;  // a power of two; 0: no range
  friend bool operator==(const SlotRange&, const SlotRange&) = default;
};

// Power-of-two sized ranges, reused by size: a range keeps serving a port while its endpoint
// count fits, so most endpoint changes keep the base and only rewrite elements.
class SlotAllocator {
 public:
  SlotRange allocate(std::uint32_t count);  // count ≥ 1
  void release(SlotRange range);
  // `range` if `count` fits in it, else a new one (and `range` released). count 0 releases.
  SlotRange resize(SlotRange range, std::uint32_t count);

 private:
  std::map<std::uint32_t, std::vector<std::uint32_t>> free_;  // capacity → free bases
  std::uint32_t next_ = 0;
};

}  // namespace skiff::proxy::nft
