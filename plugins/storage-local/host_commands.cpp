// Runs mkfs, mount, umount and stat as child processes, mount-related ones inside the
// configured mount namespace.
#include "host_commands.hpp"

#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "skiff/sdk/child_process.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::storage_local {
namespace {

using namespace std::chrono_literals;

std::string joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
  return text;
}

std::string link_of(const std::string& path) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink(path, ec);
  return ec ? "" : target.string();
}

// The mount namespace of the first dockerd or containerd found in /proc, "" when none runs.
std::string runtime_namespace() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name == "dockerd" || name == "containerd") return "/proc/" + pid + "/ns/mnt";
  }
  return "";
}

}  // namespace

std::string HostCommands::namespace_to_enter() const {
  if (mount_namespace_ != "runtime") return mount_namespace_;
  std::string path = runtime_namespace();
  if (path.empty() || link_of(path) == link_of("/proc/self/ns/mnt")) return "";
  return path;
}

std::string HostCommands::run(std::vector<std::string> argv, bool in_mount_namespace) const {
  std::string target = in_mount_namespace ? namespace_to_enter() : "";
  if (!target.empty()) argv.insert(argv.begin(), {"/usr/bin/nsenter", "--mount=" + target, "--"});
  auto outcome = sdk::run_process(argv, sdk::child_environment(""), "", 120s);
  if (!outcome.wait_status)
    throw sdk::Error(sdk::Status::Internal(joined(argv) + ": no answer in 120 s, killed"));
  if (!WIFEXITED(*outcome.wait_status) || WEXITSTATUS(*outcome.wait_status) != 0)
    throw sdk::Error(sdk::Status::Internal(joined(argv) + " failed (" + sdk::describe_wait_status(*outcome.wait_status) +
                                           "): " + outcome.err));
  return outcome.out;
}

// -m 0: no blocks reserved for root, so the whole request is the containers' to use.
void HostCommands::make_ext4(const std::string& image) const {
  run({"/usr/sbin/mkfs.ext4", "-q", "-F", "-m", "0", image}, false);
}

void HostCommands::mount_loop(const std::string& image, const std::string& dir) const {
  run({"/usr/bin/mount", "-o", "loop", image, dir}, true);
}

// The loop device goes with the last unmount (mount -o loop sets autoclear).
void HostCommands::unmount(const std::string& dir) const { run({"/usr/bin/umount", dir}, true); }

bool HostCommands::is_mounted(const std::string& dir) const {
  try {
    run({"/usr/bin/mountpoint", "-q", dir}, true);
    return true;
  } catch (const sdk::Error&) {
    return false;
  }
}

std::int64_t HostCommands::available_bytes(const std::string& dir) const {
  std::string out = run({"/usr/bin/stat", "-f", "-c", "%a %S", dir}, true);
  std::int64_t blocks = 0, block_size = 0;
  if (std::sscanf(out.c_str(), "%ld %ld", &blocks, &block_size) != 2)
    throw sdk::Error(sdk::Status::Internal("stat -f " + dir + " printed '" + out + "', not '<blocks> <block size>'"));
  return blocks * block_size;
}

}  // namespace skiff::storage_local
