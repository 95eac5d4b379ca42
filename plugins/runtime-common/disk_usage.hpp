// What a directory tree takes on disk (a container's writable layer), walked like `du` but
// bounded, so a layer with millions of files cannot stall a stats request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace skiff::runtime_common {

struct DiskUsage {
  std::uint64_t bytes = 0;   // allocated blocks, as du counts them
  std::uint64_t inodes = 0;  // files, directories and links, the top directory included
  bool complete = true;      // false when the walk stopped at the bound (the figures are a floor)
};

// Missing or unreadable entries count as nothing; links are not followed; a tree with more
// than `max_entries` entries is measured only that far.
DiskUsage disk_usage(const std::string& path, std::uint64_t max_entries = 100000);

// Walks a tree at most once per `max_age` (cAdvisor too measures writable layers only now and
// then): the kubelet collects every few seconds, a layer's size changes slowly. Thread-safe.
class DiskUsageCache {
 public:
  explicit DiskUsageCache(std::chrono::seconds max_age = std::chrono::seconds(30)) : max_age_(max_age) {}
  DiskUsage measure(const std::string& path);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    DiskUsage usage;
    Clock::time_point at;
  };
  std::chrono::seconds max_age_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace skiff::runtime_common
