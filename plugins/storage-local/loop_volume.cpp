// Sizing, creating, re-mounting and removing loop-mounted ext4 volumes.
#include "loop_volume.hpp"

#include <filesystem>
#include <fstream>

#include "skiff/sdk/status.hpp"

namespace skiff::storage_local {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kBlock = 4096;
constexpr int kMaxAttempts = 6;

std::int64_t round_up(std::int64_t value, std::int64_t unit) { return (value + unit - 1) / unit * unit; }

void make_image(const HostCommands& host, const std::string& image, std::int64_t size) {
  std::error_code ec;
  fs::remove(image, ec);
  fs::resize_file([&] {
    std::ofstream(image).close();
    return image;
  }(), static_cast<std::uintmax_t>(size));
  host.make_ext4(image);
}

}  // namespace

std::int64_t usable_target(std::int64_t requested_bytes) { return round_up(std::max<std::int64_t>(requested_bytes, 1), kMiB); }

// Measured on ext4 with default options: about 3 MiB for 10 MiB, 15 MiB for 100 MiB, 68 MiB
// for 1 GiB (journal and inode tables); this starts above that and shrinks.
std::int64_t first_image_size(std::int64_t target) { return round_up(target + target / 12 + 8 * kMiB, kBlock); }

std::int64_t next_image_size(std::int64_t image, std::int64_t usable, std::int64_t target) {
  if (usable >= target && usable < target + kMiB) return image;
  // Overhead barely changes with the size: move the image by the difference, aiming at the
  // middle of the allowed window so a small change in overhead still lands inside it.
  std::int64_t aim = target + kMiB / 2;
  return round_up(std::max<std::int64_t>(image + (aim - usable), kMiB), kBlock);
}

LoopVolumePaths LoopVolumePaths::of(const std::string& directory, const std::string& name) {
  return {directory + "/" + name + ".img", directory + "/" + name};
}

std::int64_t create_loop_volume(const HostCommands& host, const LoopVolumePaths& paths, std::int64_t requested_bytes) {
  fs::create_directories(paths.mount);
  if (host.is_mounted(paths.mount)) return host.available_bytes(paths.mount);
  std::int64_t target = usable_target(requested_bytes);
  std::int64_t image = first_image_size(target);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    make_image(host, paths.image, image);
    host.mount_loop(paths.image, paths.mount);
    std::int64_t usable = host.available_bytes(paths.mount);
    std::int64_t next = next_image_size(image, usable, target);
    if (next == image) return usable;
    host.unmount(paths.mount);
    image = next;
  }
  throw sdk::Error(sdk::Status::Internal("could not size an ext4 image at " + paths.image + " to give " +
                                         std::to_string(target) + " usable bytes in " + std::to_string(kMaxAttempts) +
                                         " attempts"));
}

bool remount_loop_volume(const HostCommands& host, const LoopVolumePaths& paths) {
  if (!fs::exists(paths.image)) return false;
  fs::create_directories(paths.mount);
  if (!host.is_mounted(paths.mount)) host.mount_loop(paths.image, paths.mount);
  return true;
}

void remove_loop_volume(const HostCommands& host, const LoopVolumePaths& paths) {
  if (fs::exists(paths.mount) && host.is_mounted(paths.mount)) host.unmount(paths.mount);
  std::error_code ec;
  fs::remove(paths.image, ec);
  fs::remove(paths.mount, ec);  // an empty mount point; refuses (and keeps) anything written there unmounted
}

}  // namespace skiff::storage_local
