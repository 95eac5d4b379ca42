// The commands the local provisioner runs on the machine: mkfs.ext4, mount, umount, stat.
// mount and umount run in a chosen mount namespace (by default the container runtime's, through
// nsenter): a node started under `ip netns exec` has a private mount namespace of its own, and
// a mount made there is invisible to dockerd/containerd, which bind the volume's directory into
// containers from the machine's namespace. setns(2) is not allowed in a threaded process, so a
// child process enters the namespace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skiff::storage_local {

class HostCommands {
 public:
  // mount_namespace: a /proc/<pid>/ns/mnt path to run mount-related commands in; "" runs them
  // here; "runtime" the namespace of the running dockerd or containerd (here when none runs or
  // it shares ours).
  explicit HostCommands(std::string mount_namespace) : mount_namespace_(std::move(mount_namespace)) {}

  // Throws sdk::Error naming the command and its stderr when it fails.
  void make_ext4(const std::string& image) const;
  void mount_loop(const std::string& image, const std::string& dir) const;
  void unmount(const std::string& dir) const;
  bool is_mounted(const std::string& dir) const;
  // Bytes an unprivileged writer can still use on the filesystem mounted at dir.
  std::int64_t available_bytes(const std::string& dir) const;

 private:
  std::string run(std::vector<std::string> argv, bool in_mount_namespace) const;
  // The namespace path to enter, "" for none; found again on each call, as the runtime may restart.
  std::string namespace_to_enter() const;
  std::string mount_namespace_;
};

}  // namespace skiff::storage_local
