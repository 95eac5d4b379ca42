// fork + exec with only async-signal-safe calls in the child; the child dies with the test.
#include "skiff/testing/process.hpp"


#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "skiff/sdk/free_port.hpp"

extern char** environ;

namespace skiff::test {

namespace {

int open_or_throw(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

ChildProcess::ChildProcess(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw std::runtime_error("ChildProcess: no program given");
  std::string program = find_program(spec.argv[0]);
  if (program.empty()) throw std::runtime_error(spec.argv[0] + " not found in PATH; install it");
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), spec.extra_env.begin(), spec.extra_env.end());
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  int in = open_or_throw(spec.stdin_path.empty() ? "/dev/null" : spec.stdin_path, O_RDONLY);
  int out = spec.output_path.empty() ? -1 : open_or_throw(spec.output_path, O_WRONLY | O_CREAT | O_APPEND);
  int err = spec.error_path.empty() ? out : open_or_throw(spec.error_path, O_WRONLY | O_CREAT | O_APPEND);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before the prctl
    setpgid(0, 0);                        // a terminal's Ctrl-C reaches the test only
    dup2(in, 0);
    if (out >= 0) dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    execve(program.c_str(), argv.data(), env.data());
    _exit(127);
  }
  int saved = errno;
  close(in);
  if (out >= 0) close(out);
  if (err >= 0 && err != out) close(err);
  if (pid_ < 0) throw std::runtime_error("cannot start " + spec.argv[0] + ": " + std::strerror(saved));
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) kill();
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) return exit_code_ = exit_code_of(status);
    if (done < 0) return exit_code_ = -1;  // not our child any more
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<int> ChildProcess::terminate(std::chrono::milliseconds timeout) {
  if (!exit_code_) ::kill(pid_, SIGTERM);
  return wait(timeout);
}

void ChildProcess::kill() {
  if (exit_code_) return;
  ::kill(pid_, SIGKILL);
  wait(std::chrono::seconds(10));
}

namespace {

// The kernel's ephemeral range, from which it picks every outgoing connection's source port
// and every bind to port 0.
std::pair<int, int> ephemeral_ports() {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  return {low, high};
}

// Bound on every address and let go again: nothing holds the port now. Never listened on or
// connected, so it leaves no TIME_WAIT behind.
bool can_bind(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

}  // namespace

// A port the caller hands to a program that binds it a moment later. Taken below the
// ephemeral range: a port from bind(0) is one the kernel may give, before the program binds
// it, to any of the thousands of loopback connections the tests alongside open, and the
// program then fails with "address already in use" (seen with etcd). Below that range only
// another test picking the same one of ~10,000 ports at random can take it.
int free_port() {
  static std::mutex mutex;
  static std::mt19937 random{std::random_device{}()};
  auto [low, high] = ephemeral_ports();
  int top = low - 1, bottom = std::max(10000, top - 10000);
  if (top - bottom >= 1000) {
    std::uniform_int_distribution<int> pick(bottom, top);
    for (int attempt = 0; attempt < 50; ++attempt) {
      int port;
      {
        std::lock_guard lock(mutex);
        port = pick(random);
      }
      if (can_bind(port)) return port;
    }
  }
  return sdk::find_free_port("127.0.0.1");  // a machine whose ephemeral range leaves no room below
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace skiff::test
