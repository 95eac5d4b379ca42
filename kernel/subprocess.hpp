// Starting child processes safely from a multi-threaded kernel (fork + exec, nothing in between).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace skiff::kernel {

struct SpawnOptions {
  std::vector<std::string> argv;            // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> extra_env;       // "KEY=value", added to the kernel's environment
  int stdin_fd = -1;                        // -1: /dev/null
  int stdout_fd = -1;                       // -1: inherit
  int stderr_fd = -1;                       // -1: inherit
  std::vector<int> pass_fds;                // become fds 3, 4, … in the child
  bool new_process_group = true;            // so a terminal's Ctrl-C reaches only the kernel
  bool die_with_parent = true;              // PR_SET_PDEATHSIG: no orphans if the kernel is killed
};

// Starts the process or throws std::runtime_error saying why (exec failures included).
pid_t spawn_process(const SpawnOptions& options);

// How a process ended, in words: "exit code 1", "signal 6 (Aborted)".
std::string describe_wait_status(int status);

// Waits for pid to end, up to timeout; returns its wait status, or nullopt on timeout.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// Finds an executable in PATH (or checks a path); "" when not found.
std::string find_executable(const std::string& name);

}  // namespace skiff::kernel
