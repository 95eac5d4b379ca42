// runc(8) as this runtime calls it: every command with `--root` under the plugin's data dir,
// a deadline, and its error output as the message; and the monitor that runs `runc create` for
// a container and stays with it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace skiff::runc {

struct MonitorLaunch {
  std::string monitor;        // skiff-runc-monitor
  std::string bundle;         // the container's dir (config.json, rootfs)
  std::string id;
  std::string log_path;
  std::int64_t log_max_bytes = 0;
  std::int64_t log_max_files = 0;
  std::string memory_cgroup;  // where the monitor looks for an OOM kill when the container ends
};

class RuncCli {
 public:
  RuncCli(std::string runc, std::string root) : runc_(std::move(runc)), root_(std::move(root)) {}

  const std::string& binary() const { return runc_; }
  const std::string& root() const { return root_; }

  // Runs `runc --root R <args…>`; its stdout. Throws sdk::Error(500) with runc's message when it
  // fails (404 when runc says the container does not exist).
  std::string run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // `runc --version`'s first line's version ("1.1.5+ds1").
  std::string version() const;
  // Starts the container's monitor and waits until `runc create` has made it; the container's
  // pid. Throws sdk::Error(500) with runc's message when it could not be created.
  int create_with_monitor(const MonitorLaunch& launch, std::chrono::milliseconds timeout) const;
  // argv of `runc --root R exec [-t] <id> <command…>` (for an exec session to spawn).
  std::vector<std::string> exec_argv(const std::string& id, const std::vector<std::string>& command,
                                     bool tty = false) const;

 private:
  std::string runc_;
  std::string root_;
};

}  // namespace skiff::runc
