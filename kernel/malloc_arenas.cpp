#include "malloc_arenas.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace skiff::kernel {

void limit_malloc_arenas() {
  if (std::getenv("MALLOC_ARENA_MAX")) return;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  mallopt(M_ARENA_MAX, static_cast<int>(2 * cores));
}

}  // namespace skiff::kernel
