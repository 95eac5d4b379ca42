// Group commit: concurrent writes share one LMDB transaction and one fsync, each with its own revision.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "object_store.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store {

class WriteBatcher {
 public:
  // Called once per submitted transaction, after it is durable (or failed).
  using Done = std::function<void(const sdk::Status& status, v1::TxnResponse response)>;

  WriteBatcher(ObjectStore& store, sdk::WatchPublisher& hub, std::size_t max_batch, spdlog::logger& log, sdk::Metrics& metrics);
  ~WriteBatcher();

  void submit(v1::TxnRequest request, Done done);
  // Enqueues them together, so that they land in the same commit.
  void submit_all(std::vector<std::pair<v1::TxnRequest, Done>> items);
  // Fails what is still queued with 503 and joins the writer thread.
  void stop();

 private:
  struct Pending {
    v1::TxnRequest request;
    Done done;
  };
  // What a commit hands to the publisher thread: its watch events, then its answers.
  struct Committed {
    std::vector<Change> changes;
    std::deque<Pending> batch;
    std::vector<std::pair<sdk::Status, v1::TxnResponse>> results;
    bool needs_sync = false;
  };
  void run();
  void commit(std::deque<Pending>& batch);
  void publish_loop();

  ObjectStore& store_;
  sdk::WatchPublisher& hub_;
  std::size_t max_batch_;
  spdlog::logger& log_;
  sdk::Counter& commits_;
  sdk::Counter& transactions_;
  sdk::Counter& commit_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  // Publishing and answering run on their own thread, in commit order, so the writer can
  // begin the next transaction while the previous one's replies go out.
  std::mutex publish_mutex_;
  std::condition_variable publish_wake_;
  std::deque<Committed> to_publish_;
  bool publisher_stopping_ = false;
  std::int64_t synced_revision_ = 0;  // publisher thread only
  std::thread publisher_;
  std::thread writer_;
};

}  // namespace skiff::store
