// A bounded du: lstat of every entry under a directory, blocks summed, hard links counted once;
// and its cache.
#include "disk_usage.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <utility>

namespace skiff::runtime_common {

namespace {

struct Walk {
  DiskUsage usage;
  std::set<std::pair<dev_t, ino_t>> linked;  // files with more than one link, counted once
  std::uint64_t max_entries;

  void count(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !linked.emplace(st.st_dev, st.st_ino).second) return;
    usage.bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
    ++usage.inodes;
  }
};

}  // namespace

DiskUsage disk_usage(const std::string& path, std::uint64_t max_entries) {
  Walk walk{{}, {}, max_entries};
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {0, 0, !std::filesystem::exists(path, ec)};
  walk.count(path);
  auto options = std::filesystem::directory_options::skip_permission_denied;
  for (std::filesystem::recursive_directory_iterator it(path, options, ec), end; !ec && it != end; it.increment(ec)) {
    if (walk.usage.inodes >= max_entries) {
      walk.usage.complete = false;
      break;
    }
    walk.count(it->path().string());
  }
  return walk.usage;
}

DiskUsage DiskUsageCache::measure(const std::string& path) {
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    // Entries of layers nobody asked about for a while (removed containers) go.
    for (auto it = entries_.begin(); it != entries_.end();)
      it = now - it->second.at > 4 * max_age_ ? entries_.erase(it) : std::next(it);
    if (auto it = entries_.find(path); it != entries_.end() && now - it->second.at < max_age_) return it->second.usage;
  }
  DiskUsage usage = disk_usage(path);  // outside the lock: other layers are not held up
  std::lock_guard lock(mutex_);
  entries_[path] = {usage, now};
  return usage;
}

}  // namespace skiff::runtime_common
