// What is mounted under a pod's directory, and its removal without ever reaching into a mount:
// std::filesystem::remove_all crosses mount points, so a volume left mounted there (by a crash,
// by hand, by a plugin) would lose its data with the directory.
#pragma once

#include <string>
#include <vector>

namespace skiff::kubelet {

// The mount points at or under `dir` in this process's mount namespace, deepest first, one
// entry per mount (stacked ones repeat), from /proc/self/mountinfo with octal escapes decoded.
std::vector<std::string> mounts_under(const std::string& dir);

// Unmounts everything under `dir` (detached, so a busy mount goes too), then removes it.
// Throws sdk::Error naming the mount point when one cannot be unmounted; the directory then
// stays, as Kubernetes keeps an orphaned pod's directory while volumes are still mounted.
void remove_pod_dir(const std::string& dir);

}  // namespace skiff::kubelet
