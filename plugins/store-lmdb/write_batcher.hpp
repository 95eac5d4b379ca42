// Group commit: concurrent writes share one LMDB transaction and one log record, and the
// writes of several commits share one fdatasync of the log, each write with its own revision.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "checkpointer.hpp"
#include "object_store.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "wal_file.hpp"

namespace skiff::store {

struct WriteOptions {
  std::size_t max_batch = 1000;
  // How long the writer waits for more writers when fewer are queued than in the last commit
  // (0: commit at once).
  std::chrono::microseconds group_commit_wait{0};
  SyncMode sync = SyncMode::Full;
};

class WriteBatcher {
 public:
  // Called once per submitted transaction, after it is durable (or failed).
  using Done = std::function<void(const sdk::Status& status, v1::TxnResponse response)>;

  WriteBatcher(ObjectStore& store, WalFile& wal, Checkpointer& checkpointer, sdk::WatchPublisher& hub,
               WriteOptions options, spdlog::logger& log, sdk::Metrics& metrics);
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
    std::int64_t revision = 0;  // 0: nothing was written, nothing to sync
  };
  void run();
  std::deque<Pending> take_batch();
  void commit(std::deque<Pending>& batch);
  void publish_loop();
  void sync_log(Committed& committed);
  bool wake_writer_locked() const;

  ObjectStore& store_;
  WalFile& wal_;
  Checkpointer& checkpointer_;
  sdk::WatchPublisher& hub_;
  WriteOptions options_;
  spdlog::logger& log_;
  sdk::Counter& commits_;
  sdk::Counter& transactions_;
  sdk::Counter& commit_seconds_;
  sdk::Counter& log_syncs_;
  sdk::Counter& log_sync_seconds_;
  long crash_before_apply_ = 0;  // test-only fault: SIGKILL itself between log and LMDB
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool gathering_ = false;      // the writer waits for `gather_target_` queued writes
  std::size_t gather_target_ = 1;
  bool stopping_ = false;
  // Syncing, publishing and answering run on their own thread, in commit order, so the writer
  // applies the next transactions while the log syncs.
  std::mutex publish_mutex_;
  std::condition_variable publish_wake_;
  std::deque<Committed> to_publish_;
  bool publisher_stopping_ = false;
  std::int64_t synced_revision_ = 0;  // publisher thread only
  std::thread publisher_;
  std::thread writer_;
};

}  // namespace skiff::store
