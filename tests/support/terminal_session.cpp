// posix_openpt, then fork: the child makes the terminal its controlling one (setsid +
// TIOCSCTTY) so that window changes reach it as SIGWINCH; a thread drains the master side so
// the program never blocks on a full terminal.
#include "terminal_session.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "skiff/testing/process.hpp"
#include "skiff/testing/wait.hpp"

extern char** environ;

namespace skiff::test {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

int open_master() {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail("posix_openpt");
  if (grantpt(master) != 0 || unlockpt(master) != 0) {
    close(master);
    fail("grantpt/unlockpt");
  }
  return master;
}

void set_size(int fd, unsigned short columns, unsigned short rows) {
  winsize size{};
  size.ws_col = columns;
  size.ws_row = rows;
  if (ioctl(fd, TIOCSWINSZ, &size) != 0) fail("TIOCSWINSZ");
}

}  // namespace

TerminalSession::TerminalSession(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                                 unsigned short columns, unsigned short rows) {
  if (argv.empty()) throw std::runtime_error("TerminalSession: no program given");
  std::string program = find_program(argv[0]);
  if (program.empty()) throw std::runtime_error(argv[0] + " not found in PATH; install it");
  master_ = open_master();
  set_size(master_, columns, rows);
  std::string slave_path = ptsname(master_);
  // Built before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  env_strings.emplace_back("TERM=xterm");
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setsid();
    int slave = open(slave_path.c_str(), O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) _exit(126);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
    execve(program.c_str(), args.data(), env.data());
    _exit(127);
  }
  if (pid_ < 0) {
    close(master_);
    fail("fork for " + argv[0]);
  }
  reader_ = std::thread([this] { read_until_closed(); });
}

TerminalSession::~TerminalSession() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  // The reader ends with EIO once no process holds the terminal open any more.
  if (reader_.joinable()) reader_.join();
  close(master_);
}

void TerminalSession::read_until_closed() {
  char buffer[4096];
  while (true) {
    ssize_t n = read(master_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EIO: every process on the terminal is gone
    std::lock_guard lock(mutex_);
    output_.append(buffer, static_cast<std::size_t>(n));
  }
}

void TerminalSession::type(const std::string& keys) {
  std::string_view left = keys;
  while (!left.empty()) {
    ssize_t n = write(master_, left.data(), left.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("typing into the terminal");
    left.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool TerminalSession::shows(const std::string& text, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return output().find(text) != std::string::npos; }, timeout, std::chrono::milliseconds(20));
}

void TerminalSession::resize(unsigned short columns, unsigned short rows) { set_size(master_, columns, rows); }

std::optional<int> TerminalSession::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  int status = 0;
  pid_t done = 0;
  if (!wait_until([&] { return (done = waitpid(pid_, &status, WNOHANG)) != 0; }, timeout, std::chrono::milliseconds(5)))
    return std::nullopt;
  if (done < 0) return exit_code_ = -1;  // not our child any more
  return exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string TerminalSession::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

}  // namespace skiff::test
