// Checkpoints: LMDB commits without syncing (the log holds every acknowledged write), so
// from time to time its pages are synced and the log segments it now covers are removed —
// every `interval`, or sooner once `bytes` were appended to the log since the last one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "object_store.hpp"
#include "wal_file.hpp"

namespace skiff::store {

// Pins the store's synced state and writes the checkpoint file for it.
ObjectStore::Pin take_checkpoint(ObjectStore& store);

class Checkpointer {
 public:
  // `initial`: the checkpoint taken at start, before the log opened (take_checkpoint).
  Checkpointer(ObjectStore& store, WalFile& wal, ObjectStore::Pin initial, std::chrono::milliseconds interval,
               std::uint64_t bytes, spdlog::logger& log);
  ~Checkpointer();  // stops, then takes a last checkpoint

  // Writer thread, after each append: wakes the checkpointer once enough was appended.
  void appended();
  // Syncs LMDB, records the state in the checkpoint file, and removes the segments every
  // record of which it now holds; the previous checkpoint's pages are released.
  void checkpoint();

 private:
  void run();

  ObjectStore& store_;
  WalFile& wal_;
  std::chrono::milliseconds interval_;
  std::uint64_t bytes_;
  spdlog::logger& log_;
  std::atomic<std::uint64_t> next_at_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::mutex checkpoint_mutex_;  // one checkpoint at a time; guards pinned_
  ObjectStore::Pin pinned_;
  std::thread thread_;
};

}  // namespace skiff::store
