// Runs the real skiffd binary for a test, with its output captured to a file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace skiff::test {

// Paths baked in by CMake.
std::string skiffd_binary();
std::string test_plugin_dir();

class SkiffdProcess {
 public:
  // Starts `skiffd <args…>`; output (stdout+stderr) goes to `log_file`.
  SkiffdProcess(std::vector<std::string> args, std::string log_file);
  ~SkiffdProcess();  // SIGKILLs it if still running

  pid_t pid() const { return pid_; }
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM and wait.
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string output() const;
  bool output_contains(const std::string& text) const { return output().find(text) != std::string::npos; }

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  std::optional<int> exit_code_;
};

// Runs `skiffd <args…>` to completion; returns {exit code, output}.
std::pair<int, std::string> run_skiffd(const std::vector<std::string>& args,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Pids of processes whose command line contains `needle` (for "nothing left running" checks).
std::vector<pid_t> processes_matching(const std::string& needle);

}  // namespace skiff::test
