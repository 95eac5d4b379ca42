// skiff-runc-monitor: one per container, as conmon is for podman. It leaves the plugin's
// process and session (so killing skiffd, even its whole process group, leaves containers
// running), becomes the subreaper of what `runc create` starts, holds the container's stdout
// and stderr, writes them as CRI logs with rotation, and records the exit code and time on disk
// when the container ends. Before detaching for good it tells the plugin, on fd 3, "ok <pid>"
// or "error <runc's message>".
//
// usage: skiff-runc-monitor RUNC RUNC_ROOT BUNDLE ID LOG_PATH LOG_MAX_BYTES LOG_MAX_FILES MEMORY_CGROUP_DIR
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cri_log_writer.hpp"
#include "exit_record.hpp"

namespace {

using skiff::runc::CriLogWriter;

constexpr int kSyncFd = 3;
// After the container's first process ended, how long its pipes may stay open (a child that
// escaped the pid namespace's end cannot keep the monitor alive).
constexpr int kDrainMillis = 2000;

struct Args {
  std::string runc, root, bundle, id, log_path, memory_cgroup;
  std::int64_t log_max_bytes = 0;
  int log_max_files = 0;
};

void tell_plugin(const std::string& message) {
  std::string line = message + "\n";
  (void)!::write(kSyncFd, line.data(), line.size());
  ::close(kSyncFd);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_atomically(const std::string& path, const std::string& text) {
  std::string temporary = path + ".writing";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)!::write(fd, text.data(), text.size());
  ::fsync(fd);
  ::close(fd);
  ::rename(temporary.c_str(), path.c_str());
}

std::string read_available(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

// Leaves the plugin: the parent returns at once (the plugin reaps it), the child goes on in a
// session of its own, reparented to init.
void detach() {
  pid_t child = ::fork();
  if (child < 0) {
    tell_plugin("error the monitor cannot fork: " + std::string(std::strerror(errno)));
    std::_Exit(1);
  }
  if (child > 0) std::_Exit(0);
  ::setsid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  int null = ::open("/dev/null", O_RDWR);
  for (int fd : {0, 1, 2}) ::dup2(null, fd);
  if (null > 2) ::close(null);
}

pid_t run_runc_create(const Args& a, int out, int err) {
  pid_t child = ::fork();
  if (child != 0) return child;
  ::dup2(out, 1);
  ::dup2(err, 2);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);  // the container gets the default the monitor set aside
  std::string pid_file = a.bundle + "/container.pid";
  std::vector<const char*> argv{a.runc.c_str(), "--root", a.root.c_str(),      "create",         "--bundle",
                                a.bundle.c_str(), "--pid-file", pid_file.c_str(), a.id.c_str(), nullptr};
  ::execv(a.runc.c_str(), const_cast<char* const*>(argv.data()));
  std::_Exit(127);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

bool oom_killed(const std::string& memory_cgroup) {
  std::istringstream control(read_file(memory_cgroup + "/memory.oom_control"));
  std::string key;
  long value = 0;
  while (control >> key >> value)
    if (key == "oom_kill") return value > 0;
  return false;
}

long long now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Copies the container's output into the log until it has ended and its pipes are drained;
// its wait status.
int supervise(pid_t container, int out, int err, int signals, CriLogWriter& log) {
  int status = 0;
  bool ended = false;
  long long drain_deadline = 0;
  bool open[2] = {true, true};
  int pipes[2] = {out, err};
  while (!ended || ((open[0] || open[1]) && now_millis() < drain_deadline)) {
    pollfd fds[3] = {{signals, POLLIN, 0}, {open[0] ? out : -1, POLLIN, 0}, {open[1] ? err : -1, POLLIN, 0}};
    int timeout = ended ? static_cast<int>(drain_deadline - now_millis()) : -1;
    if (::poll(fds, 3, timeout < 0 && ended ? 0 : timeout) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i)
      if (open[i] && (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buffer[65536];
        ssize_t n = ::read(pipes[i], buffer, sizeof buffer);
        if (n > 0) log.write(i + 1, std::string_view(buffer, static_cast<std::size_t>(n)));
        else if (n == 0 || errno != EAGAIN) open[i] = false;
      }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(signals, &info, sizeof info) > 0) {
      }
      int st;
      pid_t reaped;
      while ((reaped = ::waitpid(-1, &st, WNOHANG)) > 0)
        if (reaped == container && !ended) {
          ended = true;
          status = st;
          drain_deadline = now_millis() + kDrainMillis;
        }
    }
  }
  log.flush();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::string usage = "error usage: skiff-runc-monitor RUNC RUNC_ROOT BUNDLE ID LOG_PATH LOG_MAX_BYTES LOG_MAX_FILES "
                        "MEMORY_CGROUP_DIR";
    tell_plugin(usage);
    return 2;
  }
  Args a{argv[1], argv[2], argv[3], argv[4], argv[5], argv[8], std::atoll(argv[6]), std::atoi(argv[7])};
  ::fcntl(kSyncFd, F_SETFD, FD_CLOEXEC);
  ::signal(SIGPIPE, SIG_IGN);  // a plugin that gave up on the sync pipe must not end the monitor
  detach();
  write_atomically(a.bundle + "/monitor.pid", std::to_string(::getpid()) + "\n");
  sigset_t child_signals;
  sigemptyset(&child_signals);
  sigaddset(&child_signals, SIGCHLD);
  sigprocmask(SIG_BLOCK, &child_signals, nullptr);
  int signals = ::signalfd(-1, &child_signals, SFD_NONBLOCK | SFD_CLOEXEC);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    tell_plugin("error the monitor cannot make pipes: " + std::string(std::strerror(errno)));
    return 1;
  }
  pid_t runc = run_runc_create(a, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  int status = 0;
  while (::waitpid(runc, &status, 0) < 0 && errno == EINTR) {
  }
  for (int fd : {out[0], err[0]}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = read_available(err[0]) + read_available(out[0]);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    tell_plugin("error runc create failed (" + std::to_string(exit_code_of(status)) + "): " + message);
    return 1;
  }
  pid_t container = static_cast<pid_t>(std::atol(read_file(a.bundle + "/container.pid").c_str()));
  tell_plugin("ok " + std::to_string(container));
  CriLogWriter log(a.log_path, a.log_max_bytes, a.log_max_files);
  int ended = supervise(container, out[0], err[0], signals, log);
  skiff::runc::ExitRecord record{exit_code_of(ended), skiff::runc::cri_log_time(), oom_killed(a.memory_cgroup)};
  write_atomically(a.bundle + "/exit", skiff::runc::format_exit_record(record));
  return 0;
}
