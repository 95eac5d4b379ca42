// Running a program as a child process: input on its stdin, its stdout and stderr captured, a
// deadline after which it (and whatever it started, in its process group) is killed. CNI
// plugins run this way; so do tools a plugin must not link (nft(8), for a licence of its own).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::sdk {

struct ProcessOutcome {
  std::optional<int> wait_status;  // as waitpid reports it; nullopt when killed at the deadline
  std::string out;
  std::string err;
};

// This process's environment without the variables whose names start with `drop_prefix`
// ("" drops none), plus `extra` ("KEY=value").
std::vector<std::string> child_environment(std::string_view drop_prefix, const std::vector<std::string>& extra = {});

// Runs argv[0] (a path) with `environment`. Throws Error(500) when it cannot be started.
ProcessOutcome run_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                           std::string_view input, std::chrono::milliseconds timeout);

// "exit code 1", "signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace skiff::sdk
