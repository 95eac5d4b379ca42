// The writer thread takes what is queued (waiting a bounded moment for more when fewer than
// last time are there), applies each transaction, appends the batch's effects to the log,
// commits LMDB without syncing, and hands the commit to the publisher thread, which syncs the
// log once for every commit written so far, publishes the watch events, then answers.
#include "write_batcher.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace skiff::store {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Tests set SKIFF_STORE_LMDB_CRASH_BEFORE_APPLY=N: the N-th commit syncs its log record and
// kills the process before LMDB sees it, as a crash at the worst moment would.
long crash_before_apply_from_env() {
  const char* value = std::getenv("SKIFF_STORE_LMDB_CRASH_BEFORE_APPLY");
  return value ? std::atol(value) : 0;
}

}  // namespace

WriteBatcher::WriteBatcher(ObjectStore& store, WalFile& wal, Checkpointer& checkpointer, sdk::WatchPublisher& hub,
                           WriteOptions options, spdlog::logger& log, sdk::Metrics& metrics)
    : store_(store),
      wal_(wal),
      checkpointer_(checkpointer),
      hub_(hub),
      options_(options),
      log_(log),
      commits_(metrics.counter("skiff_store_commits_total", "LMDB transactions committed (each may hold many writes)")),
      transactions_(metrics.counter("skiff_store_transactions_total", "write transactions applied")),
      commit_seconds_(metrics.counter("skiff_store_commit_seconds_total",
                                      "time spent applying and committing batches (log append included, its sync not)")),
      log_syncs_(metrics.counter("skiff_store_wal_syncs_total", "fdatasyncs of the write-ahead log")),
      log_sync_seconds_(metrics.counter("skiff_store_wal_sync_seconds_total", "time spent in fdatasync of the log")),
      crash_before_apply_(crash_before_apply_from_env()),
      publisher_([this] { publish_loop(); }),
      writer_([this] { run(); }) {}

WriteBatcher::~WriteBatcher() { stop(); }

// Wakes the writer for the first write, or once as many are queued as it gathers for:
// not for every write, as each wake-up costs a context switch.
bool WriteBatcher::wake_writer_locked() const {
  return gathering_ ? queue_.size() >= gather_target_ : queue_.size() == 1;
}

void WriteBatcher::submit(v1::TxnRequest request, Done done) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      done(sdk::Status::Unavailable("store is stopping; retry against the next store"), {});
      return;
    }
    queue_.push_back({std::move(request), std::move(done)});
    wake = wake_writer_locked();
  }
  if (wake) wake_.notify_one();
}

void WriteBatcher::submit_all(std::vector<std::pair<v1::TxnRequest, Done>> items) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& [request, done] : items) {
      if (stopping_)
        done(sdk::Status::Unavailable("store is stopping; retry against the next store"), {});
      else
        queue_.push_back({std::move(request), std::move(done)});
    }
    wake = !queue_.empty() && (gathering_ ? queue_.size() >= gather_target_ : queue_.size() == items.size());
  }
  if (wake) wake_.notify_one();
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

void WriteBatcher::sync_log(Committed& committed) {
  if (committed.revision == 0 || options_.sync != SyncMode::Full) return;
  // One sync covers every record appended before it: commits queued meanwhile share it.
  std::int64_t appended = store_.revision();
  if (appended <= synced_revision_) return;
  auto started = Clock::now();
  try {
    wal_.sync();
    synced_revision_ = appended;
  } catch (const sdk::Error& e) {
    // Applied but not known to be on disk: say so rather than claim durability.
    sdk::Status status = sdk::Status::Internal(e.status().message + "; the write is applied but may not be on disk");
    log_.error("{}", status.message);
    for (auto& result : committed.results)
      if (result.first.ok()) result.first = status;
  }
  log_syncs_.inc();
  log_sync_seconds_.inc(seconds_since(started));
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
    sync_log(committed);
    hub_.publish(committed.changes);
    for (std::size_t i = 0; i < committed.batch.size(); ++i)
      committed.batch[i].done(committed.results[i].first, std::move(committed.results[i].second));
  }
}

std::deque<WriteBatcher::Pending> WriteBatcher::take_batch() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (options_.group_commit_wait.count() > 0 && !stopping_ && queue_.size() < gather_target_) {
    // Fewer writers queued than the last commit had: the others are likely on their way.
    gathering_ = true;
    wake_.wait_for(lock, options_.group_commit_wait,
                   [&] { return stopping_ || queue_.size() >= gather_target_; });
    gathering_ = false;
  }
  std::deque<Pending> batch;
  while (!queue_.empty() && batch.size() < options_.max_batch) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  gather_target_ = std::max<std::size_t>(1, batch.size());
  return batch;
}

void WriteBatcher::run() {
  while (true) {
    std::deque<Pending> batch = take_batch();
    if (batch.empty()) return;  // stopping, nothing left
    commit(batch);
  }
}

void WriteBatcher::commit(std::deque<Pending>& batch) {
  std::vector<Change> changes;
  std::vector<std::pair<sdk::Status, v1::TxnResponse>> results(batch.size());
  std::int64_t revision = store_.revision();
  bool wrote = false;
  try {
    auto started = Clock::now();
    LmdbTxn txn(store_.env(), false);
    WalBatchEncoder record;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        results[i].second = store_.apply(txn, batch[i].request, revision + 1, changes, record);
        results[i].first = sdk::Status::Ok();
        ++revision;
      } catch (const sdk::Error& e) {
        results[i].first = e.status();
      }
    }
    if (!changes.empty()) {
      store_.record_revisions(txn, revision, changes);
      wal_.append(record.finish(revision), revision);  // durable once the publisher syncs it
      if (crash_before_apply_ > 0 && --crash_before_apply_ == 0) {
        wal_.sync();
        ::kill(getpid(), SIGKILL);
      }
      try {
        txn.commit();  // no sync: the log has it
      } catch (const LmdbError&) {
        wal_.discard_last();  // refused writes must not come back in a replay
        throw;
      }
      store_.set_revision(revision);
      wrote = true;
      commit_seconds_.inc(seconds_since(started));
      commits_.inc();
      transactions_.inc(static_cast<double>(batch.size()));
      checkpointer_.appended();
    }
  } catch (const std::exception& e) {
    const auto* lmdb = dynamic_cast<const LmdbError*>(&e);
    sdk::Status status = lmdb && lmdb->code() == MDB_MAP_FULL
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
    to_publish_.push_back({std::move(changes), std::move(batch), std::move(results), wrote ? revision : 0});
  }
  publish_wake_.notify_one();
}

}  // namespace skiff::store
