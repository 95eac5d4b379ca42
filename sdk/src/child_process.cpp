// fork + exec with three pipes and a pidfd, all waited on by one poll() with a deadline.
#include "skiff/sdk/child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "skiff/sdk/status.hpp"

extern char** environ;

namespace skiff::sdk {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what, int err = errno) {
  throw Error(Status::Internal(what + ": " + std::strerror(err)));
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) fail("pipe");
  return {Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(const Fd& fd) { fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) | O_NONBLOCK); }

// A child that exits without reading its input makes our write fail with EPIPE; the signal
// that comes with it must not end the runtime (skiffd ignores SIGPIPE; a test may not).
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

// Returns the child's pid once exec succeeded; throws with exec's error otherwise.
pid_t spawn(const std::vector<std::string>& arguments, const std::vector<std::string>& environment, Pipe& in, Pipe& out,
            Pipe& err) {
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_storage = environment, arg_storage = arguments;
  std::vector<char*> envp, argv;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (auto& a : arg_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string& program = arguments.at(0);
  Pipe exec_error = make_pipe();

  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    setpgid(0, 0);  // its own group: a deadline kills what it started too
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in.read.get(), 0) < 0 || dup2(out.write.get(), 1) < 0 || dup2(err.write.get(), 2) < 0) {
      int e = errno;
      (void)!write(exec_error.write.get(), &e, sizeof e);
      _exit(127);
    }
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // nothing of ours leaks into the child
    execve(program.c_str(), argv.data(), envp.data());
    int e = errno;
    (void)!write(exec_error.write.get(), &e, sizeof e);
    _exit(127);
  }
  exec_error.write.reset();
  in.read.reset();
  out.write.reset();
  err.write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(exec_error.read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    waitpid(pid, nullptr, 0);
    fail("cannot run " + program, child_errno);
  }
  return pid;
}

// Reads what is there; closes `fd` at end of file.
void read_available(Fd& fd, std::string& into) {
  char buffer[8192];
  while (fd) {
    ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n > 0) into.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || (errno != EINTR && errno != EAGAIN)) fd.reset();
    else if (errno == EAGAIN) return;
  }
}

// Writes what the pipe takes; closes `fd` when all is written or the plugin stopped reading.
void write_available(Fd& fd, std::string_view& rest) {
  while (fd && !rest.empty()) {
    ssize_t n = write(fd.get(), rest.data(), rest.size());
    if (n > 0) rest.remove_prefix(static_cast<std::size_t>(n));
    else if (errno == EAGAIN) return;
    else if (errno != EINTR) fd.reset();
  }
  fd.reset();
}

}  // namespace

std::vector<std::string> child_environment(std::string_view drop_prefix, const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e)
    if (drop_prefix.empty() || std::string_view(*e).substr(0, drop_prefix.size()) != drop_prefix) out.emplace_back(*e);
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

ProcessOutcome run_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                           std::string_view input, std::chrono::milliseconds timeout) {
  SigpipeBlocked sigpipe_blocked;
  Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
  pid_t pid = spawn(argv, environment, in, out, err);
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    int e = errno;
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    fail("pidfd_open", e);
  }
  for (Fd* fd : {&in.write, &out.read, &err.read}) set_nonblocking(*fd);

  ProcessOutcome outcome;
  auto deadline = Clock::now() + timeout;
  bool exited = false;
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      read_available(err.read, outcome.err);
      return outcome;
    }
    pollfd fds[] = {{in.write.get(), POLLOUT, 0}, {out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0},
                    {pidfd.get(), POLLIN, 0}};  // closed pipes are -1: poll skips them
    if (poll(fds, 4, static_cast<int>(left.count()) + 1) < 0 && errno != EINTR) fail("poll");
    if (fds[0].revents) write_available(in.write, input);
    if (fds[1].revents) read_available(out.read, outcome.out);
    if (fds[2].revents) read_available(err.read, outcome.err);
    exited = fds[3].revents != 0;
  }
  // What it wrote before exiting is in the pipes; something it started may hold them open,
  // so read what is there rather than wait for end of file.
  read_available(out.read, outcome.out);
  read_available(err.read, outcome.err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.wait_status = status;
  return outcome;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "signal " + std::to_string(WTERMSIG(status)) + (name ? std::string(" (") + name + ")" : "");
  }
  return "wait status " + std::to_string(status);
}

}  // namespace skiff::sdk
