// How many malloc arenas the process may use (glibc's M_ARENA_MAX).
#pragma once

namespace skiff::kernel {

// glibc gives each thread that meets a locked arena a new one, up to 8 per core: a skiffd
// with dozens of threads (bus workers, informers, controllers' workers) ends with 16 arenas
// on 2 cores, each keeping the memory its threads freed. Two per core keeps that retention
// down (measured on the controller-manager with 10,000 pods: bench/README.md) while threads
// still rarely wait, since most small allocations come from glibc's per-thread cache.
// MALLOC_ARENA_MAX in the environment wins, as glibc documents.
void limit_malloc_arenas();

}  // namespace skiff::kernel
