// Output goes to temp files (no pipe buffers to fill and deadlock on); the wait has a deadline.
#include "command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "subprocess.hpp"
#include "temp_dir.hpp"

namespace skiff::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                          std::chrono::milliseconds timeout, const std::string& stdin_text) {
  TempDir dir;
  std::string in_path = dir.file("stdin"), out_path = dir.file("stdout"), err_path = dir.file("stderr");
  std::ofstream(in_path) << stdin_text;
  int in = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  kernel::SpawnOptions spawn;
  spawn.argv = argv;
  spawn.extra_env = extra_env;
  spawn.stdin_fd = in;
  spawn.stdout_fd = out;
  spawn.stderr_fd = err;
  CommandResult result;
  pid_t pid = kernel::spawn_process(spawn);
  close(in);
  close(out);
  close(err);
  auto status = kernel::wait_for_exit(pid, timeout);
  if (!status) {
    kill(pid, SIGKILL);
    kernel::wait_for_exit(pid, std::chrono::seconds(5));
  } else {
    result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  }
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

}  // namespace skiff::test
