// Skiff's supervisord: keeps one child process running, restarting it with exponential back-off.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

namespace skiff::kernel {

struct RestartPolicy {
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds backoff_max{30000};
  int max_restarts = 5;  // crashes within `window` before giving up
  std::chrono::milliseconds window{60000};
  std::chrono::milliseconds start_timeout{30000};
};

struct LaunchedProcess {
  pid_t pid = -1;
  int ready_fd = -1;  // read end of a readiness pipe, if the child reports one
};

struct ProcessSpec {
  std::string name;  // in log lines: "plugin crasher", "embedded nats-server"
  std::function<LaunchedProcess()> launch;  // throws std::runtime_error when it cannot start
  // Returns an error text, or nullopt once the process is ready. Must return by the deadline.
  std::function<std::optional<std::string>(const LaunchedProcess&, std::chrono::steady_clock::time_point)> wait_ready;
  RestartPolicy policy;
};

class SupervisedProcess {
 public:
  enum class State { Idle, Starting, Running, Restarting, Failed, Stopping, Stopped };

  struct Snapshot {
    State state = State::Idle;
    int restarts = 0;
    pid_t pid = -1;
    std::string last_error;
  };

  SupervisedProcess(ProcessSpec spec, std::shared_ptr<spdlog::logger> log);
  ~SupervisedProcess();

  // Launches and waits until ready; a failure here is not retried: it throws with the reason.
  void start();
  // SIGTERM, then SIGKILL after `grace`; returns when the process is gone.
  void stop(std::chrono::milliseconds grace);
  Snapshot snapshot() const;

 private:
  void supervise();
  std::optional<std::string> launch_once();  // error text, or nullopt when running
  void wait_for_exit();
  bool record_crash_and_wait();  // false when the process should stay down

  ProcessSpec spec_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Snapshot snapshot_;
  bool stopping_ = false;
  bool first_start_done_ = false;
  std::optional<std::string> first_start_error_;
  std::deque<std::chrono::steady_clock::time_point> crashes_;
  std::thread thread_;
};

std::string_view to_string(SupervisedProcess::State state);

}  // namespace skiff::kernel
