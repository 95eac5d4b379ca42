#include "worker_pool.hpp"

#include <algorithm>

namespace skiff::sdk::scheduling {

WorkerPool::WorkerPool(int parallelism) {
  for (int i = 1; i < std::max(1, parallelism); ++i) threads_.emplace_back([this] { work_loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::drain() {
  for (std::size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < count_;) (*task_)(i);
}

void WorkerPool::run(std::size_t count, const std::function<void(std::size_t)>& task) {
  if (threads_.empty() || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) task(i);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    count_ = count;
    task_ = &task;
    next_.store(0, std::memory_order_relaxed);
    open_ = true;
    ++job_;
  }
  start_.notify_all();
  drain();
  // Workers that wake after this find the job closed and skip it: the caller does not wait for
  // a worker that was slow to be scheduled, only for those that took a task.
  std::unique_lock lock(mutex_);
  open_ = false;
  finished_.wait(lock, [&] { return working_ == 0; });
  task_ = nullptr;
}

void WorkerPool::work_loop() {
  std::uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  while (true) {
    start_.wait(lock, [&] { return stopping_ || job_ != seen; });
    if (stopping_) return;
    seen = job_;
    if (!open_) continue;
    ++working_;
    lock.unlock();
    drain();
    lock.lock();
    if (--working_ == 0) finished_.notify_one();
  }
}

}  // namespace skiff::sdk::scheduling
