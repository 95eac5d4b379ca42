#include "overlay_rootfs.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;

void mount_overlay_rootfs(const std::string& dir, const std::vector<std::string>& layers) {
  for (const char* sub : {"/rootfs", "/upper", "/work", "/empty"}) fs::create_directories(dir + sub);
  // overlayfs lists the top layer first; an image with no layers still needs one lower dir.
  std::string lower;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
  if (lower.empty()) lower = dir + "/empty";
  std::string options = "lowerdir=" + lower + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work";
  std::string target = dir + "/rootfs";
  if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
    throw sdk::Error(sdk::Status::Internal("cannot mount the container's overlay root at " + target + ": " +
                                           std::strerror(errno) + " (" + std::to_string(layers.size()) + " layers)"));
}

void unmount_overlay_rootfs(const std::string& dir) {
  std::string target = dir + "/rootfs";
  ::umount2(target.c_str(), MNT_DETACH);
}

}  // namespace skiff::runc
