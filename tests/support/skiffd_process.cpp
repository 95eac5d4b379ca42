// Spawns skiffd, captures its output, and finds leftover processes by command line.
#include "skiffd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "subprocess.hpp"
#include "temp_dir.hpp"

namespace skiff::test {

std::string skiffd_binary() { return SKIFF_TEST_SKIFFD; }
std::string test_plugin_dir() { return SKIFF_TEST_PLUGIN_DIR; }

SkiffdProcess::SkiffdProcess(std::vector<std::string> args, std::string log_file) : log_file_(std::move(log_file)) {
  int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  kernel::SpawnOptions spawn;
  spawn.argv = {skiffd_binary()};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.stdout_fd = fd;
  spawn.stderr_fd = fd;
  pid_ = kernel::spawn_process(spawn);
  close(fd);
}

SkiffdProcess::~SkiffdProcess() {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    kernel::wait_for_exit(pid_, std::chrono::seconds(5));
  }
}

std::optional<int> SkiffdProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto status = kernel::wait_for_exit(pid_, timeout);
  if (!status) return std::nullopt;
  exit_code_ = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  return exit_code_;
}

std::optional<int> SkiffdProcess::terminate(std::chrono::milliseconds timeout) {
  if (!exit_code_) kill(pid_, SIGTERM);
  return wait(timeout);
}

std::string SkiffdProcess::output() const {
  std::ifstream file(log_file_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::pair<int, std::string> run_skiffd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  TempDir dir;
  SkiffdProcess process(args, dir.file("output.log"));
  auto code = process.wait(timeout);
  return {code.value_or(-1), process.output()};
}

std::vector<pid_t> processes_matching(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    pid_t pid = std::stoi(name);
    if (pid != getpid() && cmdline.find(needle) != std::string::npos) {
      // Zombies of our own children do not count as running.
      std::ifstream stat(entry.path() / "stat");
      std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      auto close_paren = s.rfind(')');
      if (close_paren != std::string::npos && close_paren + 2 < s.size() && s[close_paren + 2] == 'Z') continue;
      found.push_back(pid);
    }
  }
  return found;
}

}  // namespace skiff::test
