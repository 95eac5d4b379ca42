// A container's root: its image's unpacked layers stacked read-only with overlayfs, under an
// upper directory of its own (`<dir>/upper`, `<dir>/work`) mounted at `<dir>/rootfs`.
#pragma once

#include <string>
#include <vector>

namespace skiff::runc {

// `layers` are directories, base first. Throws sdk::Error(500) naming the mount when it fails.
void mount_overlay_rootfs(const std::string& dir, const std::vector<std::string>& layers);
// Unmounts `<dir>/rootfs` when mounted.
void unmount_overlay_rootfs(const std::string& dir);

}  // namespace skiff::runc
