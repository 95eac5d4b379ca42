// Runs a command to completion with captured output (for kubectl, python and friends).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace skiff::test {

struct CommandResult {
  int exit_code = -1;  // -1: timed out (the process was killed)
  std::string out;
  std::string err;
  std::string both() const { return out + err; }
};

// extra_env: "KEY=value". stdin_text is fed to the command's standard input.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::string& stdin_text = "");

}  // namespace skiff::test
