// One volume of the local provisioner: an ext4 image file loop-mounted on a directory, sized
// so the space a writer can use is the request rounded up to the next MiB (and less than one
// MiB more): writing past it fails with "No space left on device".
#pragma once

#include <cstdint>
#include <string>

#include "host_commands.hpp"

namespace skiff::storage_local {

inline constexpr std::int64_t kMiB = 1024 * 1024;

// The usable size a request gets: rounded up to whole MiB.
std::int64_t usable_target(std::int64_t requested_bytes);
// The first image size tried for a target: room for ext4's journal and inode tables.
std::int64_t first_image_size(std::int64_t target);
// The next image size from one that gave `usable` bytes, or the same size when usable is
// already within [target, target + 1 MiB).
std::int64_t next_image_size(std::int64_t image, std::int64_t usable, std::int64_t target);

struct LoopVolumePaths {
  std::string image;  // <dir>/<name>.img
  std::string mount;  // <dir>/<name>
  static LoopVolumePaths of(const std::string& directory, const std::string& name);
};

// Makes the image, formats it and mounts it, resizing until the usable space fits; idempotent
// (an image already mounted is left as it is). Returns the usable bytes.
std::int64_t create_loop_volume(const HostCommands& host, const LoopVolumePaths& paths, std::int64_t requested_bytes);
// Mounts an existing image again (after a node restart); false when there is no image.
bool remount_loop_volume(const HostCommands& host, const LoopVolumePaths& paths);
// Unmounts (if mounted) and removes the image and the mount directory.
void remove_loop_volume(const HostCommands& host, const LoopVolumePaths& paths);

}  // namespace skiff::storage_local
