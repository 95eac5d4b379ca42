// fork/exec with a close-on-exec error pipe so exec failures come back as messages.
#include "subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace skiff::kernel {

std::string find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  dirs += ":/usr/sbin:/sbin";  // nats-server lives in sbin on Debian, often outside a user's PATH
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

pid_t spawn_process(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::runtime_error("spawn: empty command");
  std::string program = find_executable(options.argv[0]);
  if (program.empty()) throw std::runtime_error("cannot find executable '" + options.argv[0] + "' in PATH");

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  for (const auto& extra : options.extra_env) env_storage.push_back(extra);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  int devnull = options.stdin_fd < 0 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(error_pipe[0]);
    close(error_pipe[1]);
    if (devnull >= 0) close(devnull);
    throw std::runtime_error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Park the error pipe above the fds we are about to place at 3, 4, …
    int error_fd = fcntl(error_pipe[1], F_DUPFD_CLOEXEC, 900);
    auto fail = [&](int err) {
      (void)!write(error_fd, &err, sizeof err);
      _exit(127);
    };
    if (options.new_process_group) setpgid(0, 0);
    if (options.die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(0);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Move passed fds high first so dup2 onto 3, 4, … cannot clobber one not yet moved.
    int high_base = 1000;  // above error_fd
    for (std::size_t i = 0; i < options.pass_fds.size(); ++i)
      if (dup2(options.pass_fds[i], high_base + static_cast<int>(i)) < 0) fail(errno);
    if (dup2(options.stdin_fd >= 0 ? options.stdin_fd : devnull, 0) < 0) fail(errno);
    if (options.stdout_fd >= 0 && dup2(options.stdout_fd, 1) < 0) fail(errno);
    if (options.stderr_fd >= 0 && dup2(options.stderr_fd, 2) < 0) fail(errno);
    for (std::size_t i = 0; i < options.pass_fds.size(); ++i)
      if (dup2(high_base + static_cast<int>(i), 3 + static_cast<int>(i)) < 0) fail(errno);
    int first_closed = 3 + static_cast<int>(options.pass_fds.size());
    // Nothing else of the kernel leaks into the child; the error pipe closes itself on exec.
    close_range(first_closed, error_fd - 1, 0);
    close_range(error_fd + 1, ~0U, 0);
    execve(program.c_str(), argv.data(), envp.data());
    fail(errno);
  }

  close(error_pipe[1]);
  if (devnull >= 0) close(devnull);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(error_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (n == sizeof child_errno) {
    waitpid(pid, nullptr, 0);
    throw std::runtime_error("cannot run " + program + ": " + std::strerror(child_errno));
  }
  return pid;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "signal " + std::to_string(WTERMSIG(status)) + (name ? std::string(" (") + name + ")" : "");
  }
  return "status " + std::to_string(status);
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  // A pidfd lets us wait with a deadline without polling waitpid or touching SIGCHLD.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int status = 0;
    return waitpid(pid, &status, WNOHANG) == pid ? std::optional<int>(status) : std::nullopt;
  }
  pollfd entry{pidfd, POLLIN, 0};
  int ready;
  do {
    ready = poll(&entry, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  close(pidfd);
  if (ready <= 0) return std::nullopt;
  int status = 0;
  if (waitpid(pid, &status, 0) == pid) return status;
  return std::nullopt;
}

}  // namespace skiff::kernel
