// A pod directory's mounts from /proc/self/mountinfo, unmounted before the directory goes.
#include "pod_mounts.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {
namespace {

// mountinfo writes space, tab, newline and backslash as \040, \011, \012, \134.
std::string unescape(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

bool at_or_under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace

std::vector<std::string> mounts_under(const std::string& dir) {
  std::string root = std::filesystem::path(dir).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::vector<std::string> found;
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, fs_root, mount_point;
    fields >> id >> parent >> device >> fs_root >> mount_point;
    mount_point = unescape(mount_point);
    if (at_or_under(mount_point, root)) found.push_back(mount_point);
  }
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return found;
}

void remove_pod_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return;
  for (const auto& mount_point : mounts_under(dir))
    if (::umount2(mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      throw sdk::Error(sdk::Status{500, "UnmountFailed",
                                   "cannot unmount " + mount_point + " under the pod directory " + dir + ": " +
                                       std::strerror(errno) + "; the directory is kept until it is unmounted"});
  if (!mounts_under(dir).empty())
    throw sdk::Error(sdk::Status{500, "UnmountFailed", "mounts are left under the pod directory " + dir +
                                                           "; the directory is kept until they are unmounted"});
  std::filesystem::remove_all(dir, ec);
}

}  // namespace skiff::kubelet
