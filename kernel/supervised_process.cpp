// One thread per supervised child: launch, wait ready, wait exit, back off, repeat.
#include "supervised_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skiff/sdk/duration.hpp"
#include "subprocess.hpp"

namespace skiff::kernel {

std::string_view to_string(SupervisedProcess::State state) {
  switch (state) {
    case SupervisedProcess::State::Idle: return "idle";
    case SupervisedProcess::State::Starting: return "starting";
    case SupervisedProcess::State::Running: return "running";
    case SupervisedProcess::State::Restarting: return "restarting";
    case SupervisedProcess::State::Failed: return "failed";
    case SupervisedProcess::State::Stopping: return "stopping";
    case SupervisedProcess::State::Stopped: return "stopped";
  }
  return "?";
}

SupervisedProcess::SupervisedProcess(ProcessSpec spec, std::shared_ptr<spdlog::logger> log)
    : spec_(std::move(spec)), log_(std::move(log)) {}

SupervisedProcess::~SupervisedProcess() { stop(std::chrono::milliseconds(2000)); }

void SupervisedProcess::start() {
  thread_ = std::thread([this] { supervise(); });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return first_start_done_; });
  if (first_start_error_) {
    lock.unlock();
    thread_.join();
    throw std::runtime_error(*first_start_error_);
  }
}

std::optional<std::string> SupervisedProcess::launch_once() {
  LaunchedProcess launched;
  try {
    launched = spec_.launch();
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  {
    std::lock_guard lock(mutex_);
    snapshot_.pid = launched.pid;
    snapshot_.state = State::Starting;
  }
  auto deadline = std::chrono::steady_clock::now() + spec_.policy.start_timeout;
  std::optional<std::string> error = spec_.wait_ready(launched, deadline);
  if (launched.ready_fd >= 0) close(launched.ready_fd);
  if (error) {
    // Not ready: make sure it is gone before reporting, so nothing is left half-started.
    kill(launched.pid, SIGKILL);
    wait_for_exit();
    return error;
  }
  std::lock_guard lock(mutex_);
  snapshot_.state = State::Running;
  return std::nullopt;
}

void SupervisedProcess::wait_for_exit() {
  pid_t pid;
  {
    std::lock_guard lock(mutex_);
    pid = snapshot_.pid;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mutex_);
  snapshot_.pid = -1;
  if (!stopping_) snapshot_.last_error = "exited with " + describe_wait_status(status);
  changed_.notify_all();
}

bool SupervisedProcess::record_crash_and_wait() {
  std::unique_lock lock(mutex_);
  if (stopping_) return false;
  auto now = std::chrono::steady_clock::now();
  crashes_.push_back(now);
  while (!crashes_.empty() && now - crashes_.front() > spec_.policy.window) crashes_.pop_front();
  int recent = static_cast<int>(crashes_.size());
  if (recent > spec_.policy.max_restarts) {
    snapshot_.state = State::Failed;
    log_->error("{} {}; it crashed {} times within {}: giving up (the node stays up; fix the cause and restart "
                "skiffd)",
                spec_.name, snapshot_.last_error, recent, sdk::format_duration(spec_.policy.window));
    changed_.notify_all();
    return false;
  }
  auto delay = spec_.policy.backoff;
  for (int i = 1; i < recent && delay < spec_.policy.backoff_max; ++i) delay *= 2;
  delay = std::min(delay, spec_.policy.backoff_max);
  snapshot_.state = State::Restarting;
  snapshot_.restarts++;
  log_->warn("{} {}; restart {} of at most {} in {}", spec_.name, snapshot_.last_error, recent,
             spec_.policy.max_restarts, sdk::format_duration(delay));
  changed_.wait_for(lock, delay, [&] { return stopping_; });
  return !stopping_;
}

void SupervisedProcess::supervise() {
  std::optional<std::string> error = launch_once();
  {
    std::lock_guard lock(mutex_);
    first_start_done_ = true;
    first_start_error_ = error;
    if (error) snapshot_.state = State::Failed;
    changed_.notify_all();
  }
  bool keep_running = !error;
  while (keep_running) {
    wait_for_exit();
    // Relaunch until one sticks; a relaunch that fails to get ready counts as another crash.
    while ((keep_running = record_crash_and_wait())) {
      std::optional<std::string> failed = launch_once();
      if (!failed) {
        log_->info("{} restarted (pid {})", spec_.name, snapshot().pid);
        break;
      }
      std::lock_guard lock(mutex_);
      snapshot_.last_error = "could not restart: " + *failed;
    }
  }
  std::lock_guard lock(mutex_);
  if (snapshot_.state != State::Failed) snapshot_.state = State::Stopped;
  changed_.notify_all();
}

void SupervisedProcess::stop(std::chrono::milliseconds grace) {
  pid_t pid;
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    if (snapshot_.state != State::Failed) snapshot_.state = State::Stopping;
    pid = snapshot_.pid;
    changed_.notify_all();
  }
  if (pid > 0) {
    kill(pid, SIGTERM);
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, grace, [&] { return snapshot_.pid <= 0; })) {
      log_->warn("{} did not stop within {}; killing it", spec_.name, sdk::format_duration(grace));
      if (snapshot_.pid > 0) kill(snapshot_.pid, SIGKILL);
    }
  }
  thread_.join();
  std::lock_guard lock(mutex_);
  if (snapshot_.state != State::Failed) snapshot_.state = State::Stopped;
}

SupervisedProcess::Snapshot SupervisedProcess::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

}  // namespace skiff::kernel
