// Blocks of endpoint ranges (see nft_layout.hpp): one per port choice while it lives, reused
// after it goes. A value type, so an apply works on a copy and keeps it only when the kernel did.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace skiff::proxy::nft {

class BlockAllocator {
 public:
  std::optional<std::uint32_t> take();  // nullopt when all kBlockCount are in use
  void give_back(std::uint32_t block);

 private:
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 0;
};

}  // namespace skiff::proxy::nft
