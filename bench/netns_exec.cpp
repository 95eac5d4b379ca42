// Threads in their own network namespaces, and timed commands spawned from them.
#include "netns_exec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace skiff::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Namespaces belong to tasks (threads), so a thread can move while the rest stays on the host.
void on_thread(const std::function<void()>& enter, const std::function<void()>& work) {
  std::exception_ptr failure;
  std::thread thread([&] {
    try {
      enter();
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_all(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Waits for the child's exit up to `cap`; false when the cap passed first.
bool wait_exit(pid_t pid, std::chrono::milliseconds cap) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) throw std::runtime_error(errno_text("pidfd_open (kernel ≥ 5.3 needed)"));
  pollfd ready{pidfd, POLLIN, 0};
  auto deadline = Clock::now() + cap;
  int n = 0;
  do {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    n = poll(&ready, 1, left < 0 ? 0 : static_cast<int>(left));
  } while (n < 0 && errno == EINTR);
  close(pidfd);
  return n > 0;
}

}  // namespace

void in_fresh_netns(const std::function<void()>& work) {
  on_thread([] {
    if (unshare(CLONE_NEWNET) != 0) throw std::runtime_error(errno_text("unshare(CLONE_NEWNET) (run as root)"));
  }, work);
}

void in_netns(const std::string& netns_path, const std::function<void()>& work) {
  on_thread([&] {
    int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(errno_text("open " + netns_path));
    int done = setns(fd, CLONE_NEWNET);
    close(fd);
    if (done != 0) throw std::runtime_error(errno_text("setns " + netns_path));
  }, work);
}

TimedRun run_timed(const std::vector<std::string>& argv, const std::string& stdin_path,
                   std::chrono::milliseconds cap) {
  char output_path[] = "/tmp/proxy-bench-out-XXXXXX";
  int output = mkstemp(output_path);
  if (output < 0) throw std::runtime_error(errno_text("mkstemp"));
  close(output);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_path, O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);

  TimedRun run;
  pid_t pid = -1;
  auto started = Clock::now();
  int failed = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) {
    unlink(output_path);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(failed) + " (is it installed?)");
  }
  run.timed_out = !wait_exit(pid, cap);
  if (run.timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  run.wall = Clock::now() - started;
  run.exit_code = exit_code_of(status);
  run.output = read_all(output_path);
  unlink(output_path);
  return run;
}

std::string must_run(const std::vector<std::string>& argv, std::chrono::milliseconds cap) {
  TimedRun run = run_timed(argv, "/dev/null", cap);
  if (run.exit_code != 0 || run.timed_out) {
    std::string command;
    for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;
    throw std::runtime_error(command + (run.timed_out ? ": still running after the cap" : ": exit " +
                             std::to_string(run.exit_code)) + ": " + run.output);
  }
  return run.output;
}

}  // namespace skiff::bench
