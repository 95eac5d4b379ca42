// Running one plugin binary as a child process: input on its stdin, its stdout and stderr
// captured, a deadline after which it (and whatever it started) is killed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::sdk::cni {

struct ProcessOutcome {
  std::optional<int> wait_status;  // as waitpid reports it; nullopt when killed at the deadline
  std::string out;
  std::string err;
};

// Runs `program` with this process's environment, minus its CNI_* variables, plus `env`
// ("KEY=value"). Throws Error(500) when it cannot be started.
ProcessOutcome run_plugin_process(const std::string& program, const std::vector<std::string>& env,
                                  std::string_view input, std::chrono::milliseconds timeout);

// "exit code 1", "signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace skiff::sdk::cni
