// The writer thread takes everything queued (up to max_batch), applies each transaction in a
// nested LMDB transaction, commits once, publishes the watch events, then answers everyone.
#include "write_batcher.hpp"

#include <spdlog/spdlog.h>

namespace skiff::store {

WriteBatcher::WriteBatcher(ObjectStore& store, WatchHub& hub, std::size_t max_batch, spdlog::logger& log)
    : store_(store), hub_(hub), max_batch_(max_batch), log_(log), writer_([this] { run(); }) {}

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

void WriteBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
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
      txn.commit();  // durable from here on (sync: full)
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
  hub_.publish(changes);
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(results[i].first, std::move(results[i].second));
}

}  // namespace skiff::store
