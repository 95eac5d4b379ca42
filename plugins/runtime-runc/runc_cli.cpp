#include "runc_cli.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/sdk/child_process.hpp"
#include "skiff/sdk/status.hpp"

extern char** environ;

namespace skiff::runc {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// runc's own error line is JSON-ish logfmt: keep the msg when it is one.
std::string runc_message(const std::string& err) {
  auto at = err.find("msg=\"");
  if (at == std::string::npos) return trimmed(err);
  auto end = err.find("\"\n", at + 5);
  return err.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
}

// Reads the monitor's one line (up to EOF) before the deadline.
std::string read_sync_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw sdk::Error(sdk::Status{504, "Timeout", "runc create did not finish in time"});
    pollfd wait{fd, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) line.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0) return trimmed(line);
    else if (errno != EINTR) return trimmed(line);
  }
}

}  // namespace

std::string RuncCli::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv{runc_, "--root", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  auto outcome = sdk::run_process(argv, sdk::child_environment(""), "", timeout);
  if (!outcome.wait_status)
    throw sdk::Error(sdk::Status{504, "Timeout", "runc " + args.front() + " did not finish in time"});
  if (WIFEXITED(*outcome.wait_status) && WEXITSTATUS(*outcome.wait_status) == 0) return outcome.out;
  std::string message = runc_message(outcome.err.empty() ? outcome.out : outcome.err);
  bool missing = message.find("does not exist") != std::string::npos || message.find("not exist") != std::string::npos;
  throw sdk::Error(sdk::Status{missing ? 404 : 500, missing ? "NotFound" : "RuntimeError",
                               "runc " + args.front() + ": " + message});
}

std::string RuncCli::version() const {
  auto outcome = sdk::run_process({runc_, "--version"}, sdk::child_environment(""), "", std::chrono::seconds(10));
  std::string first = outcome.out.substr(0, outcome.out.find('\n'));
  auto space = first.rfind(' ');
  return space == std::string::npos ? first : first.substr(space + 1);
}

int RuncCli::create_with_monitor(const MonitorLaunch& l, std::chrono::milliseconds timeout) const {
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) != 0)
    throw sdk::Error(sdk::Status::Internal(std::string("pipe for the monitor: ") + std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sync[1], 3);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_addclosefrom_np(&actions, 4);
  std::vector<std::string> args{l.monitor,       runc_,      root_,  l.bundle, l.id, l.log_path,
                                std::to_string(l.log_max_bytes), std::to_string(l.log_max_files), l.memory_cgroup};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = ::posix_spawn(&pid, l.monitor.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sync[1]);
  if (spawned != 0) {
    ::close(sync[0]);
    throw sdk::Error(sdk::Status::Internal("cannot start the monitor " + l.monitor + ": " + std::strerror(spawned) +
                                           " (build it: it is the target skiff-runc-monitor)"));
  }
  int status;
  ::waitpid(pid, &status, 0);  // the monitor's first half: it leaves at once
  std::string line;
  try {
    line = read_sync_line(sync[0], timeout);
  } catch (...) {
    ::close(sync[0]);
    throw;
  }
  ::close(sync[0]);
  if (line.rfind("ok ", 0) == 0) return std::atoi(line.c_str() + 3);
  if (line.rfind("error ", 0) == 0) line.erase(0, 6);
  throw sdk::Error(sdk::Status{500, "RuntimeError", line.empty() ? "the monitor ended without a word" : line});
}

std::vector<std::string> RuncCli::exec_argv(const std::string& id, const std::vector<std::string>& command,
                                            bool tty) const {
  std::vector<std::string> argv{runc_, "--root", root_, "exec"};
  if (tty) argv.push_back("-t");
  argv.push_back(id);
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace skiff::runc
