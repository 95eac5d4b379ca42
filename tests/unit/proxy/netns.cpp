// A thread in a network namespace of its own that runs tasks on request (see netns.hpp).
#include "netns.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <future>
#include <stdexcept>

#include "command.hpp"

namespace skiff::test {

Netns::Netns() {
  std::promise<pid_t> started;
  auto ready = started.get_future();
  thread_ = std::thread([this, &started] {
    if (unshare(CLONE_NEWNET) != 0) {
      started.set_exception(std::make_exception_ptr(std::runtime_error("unshare(CLONE_NEWNET) failed: are the tests root?")));
      return;
    }
    started.set_value(static_cast<pid_t>(syscall(SYS_gettid)));
    serve();
  });
  try {
    thread_id_ = ready.get();
  } catch (...) {
    thread_.join();
    throw;
  }
  shell("ip link set lo up");
}

Netns::~Netns() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Netns::serve() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void Netns::run(const std::function<void()>& task) {
  std::packaged_task<void()> job(task);
  auto done = job.get_future();
  {
    std::lock_guard lock(mutex_);
    tasks_.emplace_back([&job] { job(); });
  }
  wake_.notify_all();
  done.get();
}

void Netns::shell(const std::string& command) {
  run([&] {
    auto result = run_command({"sh", "-c", command});
    if (result.exit_code != 0) throw std::runtime_error(command + ": " + result.both());
  });
}

}  // namespace skiff::test
