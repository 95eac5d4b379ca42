// Child processes for tests (nats-server, skiffd, kubectl …): started with fork + exec, output
// to files (no pipe to fill and deadlock on), waited for with deadlines, never left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace skiff::test {

struct SpawnSpec {
  std::vector<std::string> argv;       // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> extra_env;  // "KEY=value", added to this process's environment
  std::string stdin_path;              // "" reads /dev/null
  std::string output_path;             // stdout, appended; "" inherits
  std::string error_path;              // stderr, appended; "" goes where stdout goes
};

class ChildProcess {
 public:
  // Throws std::runtime_error naming the program when it cannot be started.
  explicit ChildProcess(const SpawnSpec& spec);
  ~ChildProcess();  // SIGKILLs it if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for its exit: the exit code, 128 + the signal when killed; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then waits.
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL, then waits.
  void kill();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// A port free on every address right now, below the kernel's ephemeral range so that no
// outgoing connection takes it before the program it is meant for binds it.
int free_port();
// The program's path from PATH (or the path itself when it has a '/'); "" when not found.
std::string find_program(const std::string& name);
// The whole content of a file ("" when it does not exist).
std::string read_file(const std::string& path);

}  // namespace skiff::test
