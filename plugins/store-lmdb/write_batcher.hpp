// Group commit: concurrent writes share one LMDB transaction and one fsync, each with its own revision.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "object_store.hpp"
#include "watch_hub.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store {

class WriteBatcher {
 public:
  // Called once per submitted transaction, after it is durable (or failed).
  using Done = std::function<void(const sdk::Status& status, v1::TxnResponse response)>;

  WriteBatcher(ObjectStore& store, WatchHub& hub, std::size_t max_batch, spdlog::logger& log);
  ~WriteBatcher();

  void submit(v1::TxnRequest request, Done done);
  // Fails what is still queued with 503 and joins the writer thread.
  void stop();

 private:
  struct Pending {
    v1::TxnRequest request;
    Done done;
  };
  void run();
  void commit(std::deque<Pending>& batch);

  ObjectStore& store_;
  WatchHub& hub_;
  std::size_t max_batch_;
  spdlog::logger& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace skiff::store
