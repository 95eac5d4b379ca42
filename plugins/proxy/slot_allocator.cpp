// Power-of-two slot ranges with free lists per size (see slot_allocator.hpp).
#include "slot_allocator.hpp"

#include <bit>
#include <stdexcept>

namespace skiff::proxy::nft {

SlotRange SlotAllocator::allocate(std::uint32_t count) {
  std::uint32_t capacity = std::bit_ceil(count == 0 ? 1u : count);
  auto& bases = free_[capacity];
  if (!bases.empty()) {
    SlotRange range{bases.back(), capacity};
    bases.pop_back();
    return range;
  }
  if (next_ > UINT32_MAX - capacity) throw std::length_error("the proxy's endpoint slot space (2^32) is exhausted");
  SlotRange range{next_, capacity};
  next_ += capacity;
  return range;
}

void SlotAllocator::release(SlotRange range) {
  if (range.capacity != 0) free_[range.capacity].push_back(range.base);
}

SlotRange SlotAllocator::resize(SlotRange range, std::uint32_t count) {
  if (count == 0) {
    release(range);
    return {};
  }
  if (range.capacity >= count) return range;  // unused slots cost nothing: no elements
  release(range);
  return allocate(count);
}

}  // namespace skiff::proxy::nft
