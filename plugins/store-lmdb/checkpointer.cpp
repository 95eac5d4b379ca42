#include "checkpointer.hpp"

#include <spdlog/spdlog.h>

namespace skiff::store {

Checkpointer::Checkpointer(ObjectStore& store, WalFile& wal, std::chrono::milliseconds interval, std::uint64_t bytes,
                           spdlog::logger& log)
    : store_(store), wal_(wal), interval_(interval), bytes_(bytes), log_(log), next_at_(bytes),
      thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::appended() {
  if (wal_.appended_bytes() < next_at_.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(mutex_);
    due_ = true;
  }
  wake_.notify_one();
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [&] { return stopping_ || due_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    try {
      checkpoint();
    } catch (const std::exception& e) {
      // The log keeps everything since the last good checkpoint: nothing is lost, it only grows.
      log_.error("store: checkpoint failed ({}); the log keeps growing until one succeeds", e.what());
    }
    lock.lock();
  }
}

void Checkpointer::checkpoint() {
  std::lock_guard lock(checkpoint_mutex_);
  // Every commit up to `applied` has written its pages before the sync begins.
  std::int64_t applied = store_.revision();
  next_at_ = wal_.appended_bytes() + bytes_;
  store_.sync_to_disk();
  wal_.recycle(applied);
}

}  // namespace skiff::store
