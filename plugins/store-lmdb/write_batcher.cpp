// The writer thread takes everything queued (up to max_batch), applies each transaction in a
// nested LMDB transaction, commits once, publishes the watch events, then answers everyone.
#include "write_batcher.hpp"

#include <spdlog/spdlog.h>

namespace skiff::store {

WriteBatcher::WriteBatcher(ObjectStore& store, sdk::WatchPublisher& hub, std::size_t max_batch, spdlog::logger& log,
                           sdk::Metrics& metrics)
    : store_(store),
      hub_(hub),
      max_batch_(max_batch),
      log_(log),
      commits_(metrics.counter("skiff_store_commits_total", "LMDB transactions committed (each may hold many writes)")),
      transactions_(metrics.counter("skiff_store_transactions_total", "write transactions applied")),
      commit_seconds_(metrics.counter("skiff_store_commit_seconds_total", "time spent in LMDB commits, fsync included")),
      publisher_([this] { publish_loop(); }),
      writer_([this] { run(); }) {}

WriteBatcher::~WriteBatcher() { stop(); }

void WriteBatcher::submit(v1::TxnRequest request, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      done(sdk::Status::Unavailable("store is stopping; retry against the next store"), {});
      return;
    }
    queue_.push_back({std::move(request), std::move(done)});
  }
  wake_.notify_one();
}

void WriteBatcher::submit_all(std::vector<std::pair<v1::TxnRequest, Done>> items) {
  {
    std::lock_guard lock(mutex_);
    for (auto& [request, done] : items) {
      if (stopping_)
        done(sdk::Status::Unavailable("store is stopping; retry against the next store"), {});
      else
        queue_.push_back({std::move(request), std::move(done)});
    }
  }
  wake_.notify_one();
}

void WriteBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(publish_mutex_);
    publisher_stopping_ = true;
  }
  publish_wake_.notify_one();
  if (publisher_.joinable()) publisher_.join();
}

void WriteBatcher::publish_loop() {
  while (true) {
    Committed committed;
    {
      std::unique_lock lock(publish_mutex_);
      publish_wake_.wait(lock, [&] { return publisher_stopping_ || !to_publish_.empty(); });
      if (to_publish_.empty()) return;  // stopping, all published
      committed = std::move(to_publish_.front());
      to_publish_.pop_front();
    }
    if (committed.needs_sync) {
      // One sync covers every commit written before it: later batches queued meanwhile share it.
      std::int64_t written = store_.revision();
      if (written > synced_revision_) {
        try {
          store_.sync_to_disk();
          synced_revision_ = written;
        } catch (const LmdbError& e) {
          // Committed but not known to be on disk: say so rather than claim durability.
          sdk::Status status = sdk::Status::Internal(std::string("store: ") + e.what() +
                                                     "; the write is committed but may not be on disk");
          log_.error("{}", status.message);
          for (auto& result : committed.results)
            if (result.first.ok()) result.first = status;
        }
      }
    }
    hub_.publish(committed.changes);
    for (std::size_t i = 0; i < committed.batch.size(); ++i)
      committed.batch[i].done(committed.results[i].first, std::move(committed.results[i].second));
  }
}

void WriteBatcher::run() {
  while (true) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit(batch);
  }
}

void WriteBatcher::commit(std::deque<Pending>& batch) {
  std::vector<Change> changes;
  std::vector<std::pair<sdk::Status, v1::TxnResponse>> results(batch.size());
  std::int64_t revision = store_.revision();
  try {
    LmdbTxn txn(store_.env(), false);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        results[i].second = store_.apply(txn, batch[i].request, revision + 1, changes);
        results[i].first = sdk::Status::Ok();
        ++revision;
      } catch (const sdk::Error& e) {
        results[i].first = e.status();
      }
    }
    if (!changes.empty()) {
      store_.record_revisions(txn, revision, changes);
      auto started = std::chrono::steady_clock::now();
      txn.commit();  // data pages synced; the publisher syncs the meta page before anyone is answered
      commit_seconds_.inc(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      commits_.inc();
      transactions_.inc(static_cast<double>(batch.size()));
      store_.set_revision(revision);
    }
  } catch (const LmdbError& e) {
    sdk::Status status = e.code() == MDB_MAP_FULL
                             ? sdk::Status{507, "InsufficientStorage",
                                           "store is full (map_size reached); raise store-lmdb's map_size and "
                                           "restart it; nothing of this write was stored"}
                             : sdk::Status::Internal(std::string("store: ") + e.what() + "; the write was not stored");
    log_.error("{}", status.message);
    for (auto& pending : batch) pending.done(status, {});
    return;
  }
  {
    std::lock_guard lock(publish_mutex_);
    bool needs_sync = !changes.empty();
    to_publish_.push_back({std::move(changes), std::move(batch), std::move(results), needs_sync});
  }
  publish_wake_.notify_one();
}

}  // namespace skiff::store
