// The scheduler's worker threads for filtering and scoring nodes (kube-scheduler's
// `parallelism`): run() hands out task indices to the workers and the calling thread alike and
// returns once every task handed out has finished.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace skiff::sdk::scheduling {

class WorkerPool {
 public:
  // `parallelism` threads in all, the caller of run() included (1: no threads of its own).
  explicit WorkerPool(int parallelism);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int parallelism() const { return static_cast<int>(threads_.size()) + 1; }
  // task(i) for every i in [0, count), in increasing order of start. One run() at a time.
  void run(std::size_t count, const std::function<void(std::size_t)>& task);

 private:
  void work_loop();
  void drain();  // takes tasks until none is left

  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable finished_;
  std::uint64_t job_ = 0;     // bumped by every run()
  bool open_ = false;         // workers may still join the current job
  int working_ = 0;           // workers inside the current job
  bool stopping_ = false;
  std::size_t count_ = 0;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
};

}  // namespace skiff::sdk::scheduling
