// Endpoint-range blocks handed out and taken back (see block_allocator.hpp).
#include "block_allocator.hpp"

#include "nft_layout.hpp"

namespace skiff::proxy::nft {

std::optional<std::uint32_t> BlockAllocator::take() {
  if (!free_.empty()) {
    std::uint32_t block = free_.back();
    free_.pop_back();
    return block;
  }
  if (next_ >= kBlockCount) return std::nullopt;
  return next_++;
}

void BlockAllocator::give_back(std::uint32_t block) { free_.push_back(block); }

}  // namespace skiff::proxy::nft
