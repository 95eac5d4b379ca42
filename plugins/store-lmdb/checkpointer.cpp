#include "checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "checkpoint_file.hpp"

namespace skiff::store {

ObjectStore::Pin take_checkpoint(ObjectStore& store) {
  ObjectStore::Pin pin = store.pin_checkpoint();
  write_checkpoint_file(store.dir(), {current_boot_id(), pin.revision, pin.meta_pages});
  return pin;
}

Checkpointer::Checkpointer(ObjectStore& store, WalFile& wal, ObjectStore::Pin initial, std::chrono::milliseconds interval,
                           std::uint64_t bytes, spdlog::logger& log)
    : store_(store), wal_(wal), interval_(interval), bytes_(bytes), log_(log), next_at_(bytes),
      pinned_(std::move(initial)), thread_([this] { run(); }) {}

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
  next_at_ = wal_.appended_bytes() + bytes_;
  ObjectStore::Pin pin = take_checkpoint(store_);
  // Only now may the previous checkpoint's pages be reused, and the log up to this one go.
  wal_.recycle(pin.revision);
  pinned_ = std::move(pin);
}

}  // namespace skiff::store
