#include "exec_session.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "skiff/sdk/status.hpp"

extern char** environ;

namespace skiff::runc {

namespace {

// What the stream's callbacks share with the session: they may run after it has returned.
struct SessionState {
  std::mutex mutex;
  int stdin_fd = -1;
  pid_t pid = 0;
  bool ended = false;

  void write_stdin(std::string_view data, bool last) {
    std::lock_guard lock(mutex);
    if (stdin_fd < 0) return;
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(stdin_fd, data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (last) close_stdin();
  }
  // With a TTY, stdin_fd is the terminal's master end: its window size is the caller's. The
  // terminal is not runc's controlling one, so SIGWINCH is sent by hand: runc then copies the
  // size onto the container's own console.
  void resize(std::uint32_t width, std::uint32_t height) {
    std::lock_guard lock(mutex);
    if (stdin_fd < 0 || ended) return;
    winsize size{};
    size.ws_col = static_cast<unsigned short>(width);
    size.ws_row = static_cast<unsigned short>(height);
    if (::ioctl(stdin_fd, TIOCSWINSZ, &size) == 0 && pid > 0) ::kill(pid, SIGWINCH);
  }
  void close_stdin() {
    if (stdin_fd >= 0) ::close(stdin_fd);
    stdin_fd = -1;
  }
  void kill() {
    std::lock_guard lock(mutex);
    if (!ended && pid > 0) ::kill(-pid, SIGKILL);
  }
};

pid_t spawn(const std::vector<std::string>& argv, int in, int out, int err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int r = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (r != 0) throw sdk::Error(sdk::Status::Internal("cannot run " + argv[0] + ": " + std::strerror(r)));
  return pid;
}

// Sends both pipes' output until each is closed; stderr is also kept (for runc's own errors).
std::string pump(int out, int err, sdk::RuntimeStream& stream) {
  std::string err_text;
  bool open[2] = {true, true};
  int fds[2] = {out, err};
  while (open[0] || open[1]) {
    pollfd wait[2] = {{open[0] ? out : -1, POLLIN, 0}, {open[1] ? err : -1, POLLIN, 0}};
    if (::poll(wait, 2, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || !(wait[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[65536];
      ssize_t n = ::read(fds[i], buffer, sizeof buffer);
      if (n <= 0) {
        open[i] = false;
        continue;
      }
      std::string_view data(buffer, static_cast<std::size_t>(n));
      if (i == 1 && err_text.size() < 4096) err_text.append(data);
      stream.write(i + 1, data);
    }
  }
  return err_text;
}

// A pseudo-terminal: its master end (returned) and its slave end (in `slave`).
int open_terminal(int& slave) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    if (master >= 0) ::close(master);
    throw sdk::Error(sdk::Status::Internal(std::string("a terminal for a TTY exec: ") + std::strerror(errno)));
  }
  slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    ::close(master);
    throw sdk::Error(sdk::Status::Internal(std::string("a terminal for a TTY exec: ") + std::strerror(errno)));
  }
  // Only a relay to runc, whose console in the container does the terminal's work: raw from
  // the start (runc makes it raw itself, but output can pass before it does: "\r\r\n").
  termios mode{};
  if (::tcgetattr(slave, &mode) == 0) {
    ::cfmakeraw(&mode);
    ::tcsetattr(slave, TCSANOW, &mode);
  }
  return master;
}

// Sends the terminal's output until the command has closed it.
void pump_terminal(int terminal, sdk::RuntimeStream& stream) {
  char buffer[65536];
  while (true) {
    pollfd wait{terminal, POLLIN, 0};
    if (::poll(&wait, 1, -1) < 0 && errno != EINTR) return;
    ssize_t n = ::read(terminal, buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // EIO: the last user of the terminal's other end is gone
    }
    stream.write(1, std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

int exit_code(int status, const std::string& err_text) {
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  // runc's own failure to start the command: what a shell answers for it.
  if (code == 255 && (err_text.find("executable file not found") != std::string::npos ||
                      err_text.find("no such file or directory") != std::string::npos))
    return 127;
  if (code == 255 && err_text.find("permission denied") != std::string::npos) return 126;
  return code;
}

}  // namespace

int run_exec_session(const ExecSpec& spec, sdk::RuntimeStream& stream) {
  bool pipe_stdin = spec.with_stdin && !spec.tty;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, slave = -1, terminal = -1, null = -1;
  if (spec.tty) {
    terminal = open_terminal(slave);
  } else if ((pipe_stdin ? ::pipe2(in, O_CLOEXEC) : 0) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
             ::pipe2(err, O_CLOEXEC) != 0) {
    throw sdk::Error(sdk::Status::Internal(std::string("pipes for exec: ") + std::strerror(errno)));
  }
  if (!spec.tty && !pipe_stdin) null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto state = std::make_shared<SessionState>();
  pid_t pid;
  try {
    pid = spec.tty ? spawn(spec.argv, slave, slave, slave) : spawn(spec.argv, pipe_stdin ? in[0] : null, out[1], err[1]);
  } catch (...) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], null, slave, terminal})
      if (fd >= 0) ::close(fd);
    throw;
  }
  for (int fd : {in[0], out[1], err[1], null, slave})
    if (fd >= 0) ::close(fd);
  {
    std::lock_guard lock(state->mutex);
    state->pid = pid;
    state->stdin_fd = spec.tty ? ::dup(terminal) : pipe_stdin ? in[1] : -1;
  }
  stream.on_stop([state] { state->kill(); });
  std::string err_text;
  if (spec.tty) {
    // Closing a terminal's input is not an end of input: typed ^D is; the terminal stays open.
    if (spec.with_stdin) stream.on_stdin([state](std::string_view data, bool) { state->write_stdin(data, false); });
    stream.on_resize([state](std::uint32_t width, std::uint32_t height) { state->resize(width, height); });
    pump_terminal(terminal, stream);
    ::close(terminal);
  } else {
    if (spec.with_stdin) stream.on_stdin([state](std::string_view data, bool last) { state->write_stdin(data, last); });
    err_text = pump(out[0], err[0], stream);
    ::close(out[0]);
    ::close(err[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard lock(state->mutex);
    state->ended = true;
    state->close_stdin();
  }
  return exit_code(status, err_text);
}

}  // namespace skiff::runc
