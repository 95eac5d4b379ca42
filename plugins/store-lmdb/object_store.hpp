// The cluster state in LMDB: objects by <resource>/<namespace>/<name>, the revision, and per
// resource the revision of its last change. Reads are direct; writes run inside a batch.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lmdb.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "skiff/store/v1/store.pb.h"
#include "wal_record.hpp"

namespace skiff::store {

// full: one fdatasync of the log per group commit before anyone is answered; none: the log
// is written but left to the OS to flush (survives skiffd crashing, not the machine).
enum class SyncMode { Full, None };

struct StoreOptions {
  std::string dir;
  std::size_t map_size = std::size_t{8} << 30;
  SyncMode sync = SyncMode::Full;
};

// A change committed by a write, published as a watch event afterwards.
using Change = sdk::StoreChange;

class ObjectStore {
 public:
  // Opens or creates the store; throws sdk::Error with a message naming the fix (corrupt,
  // foreign, or locked data dir).
  explicit ObjectStore(const StoreOptions& options);
  ~ObjectStore();

  v1::GetResponse get(const v1::ObjectKey& key) const;
  // 413 when the answer would not fit a bus message.
  v1::GetManyResponse get_many(const v1::GetManyRequest& request) const;
  v1::ListResponse list(const v1::ListRequest& request) const;
  v1::InfoResponse info(std::int64_t history_floor) const;

  // Applies one transaction inside `batch` at `revision`; throws sdk::Error (nothing of this
  // transaction is applied then). Appends the changes it made, and their effects to `wal`.
  v1::TxnResponse apply(LmdbTxn& batch, const v1::TxnRequest& request, std::int64_t revision,
                        std::vector<Change>& changes, WalBatchEncoder& wal);
  // Recovery: applies a logged batch again (its effects, no checks) and commits it.
  void replay(const WalBatch& batch, const std::vector<Change>& changes);
  // Records the batch's final revision and the last revision of each touched resource.
  void record_revisions(LmdbTxn& batch, std::int64_t revision, const std::vector<Change>& changes);

  const LmdbEnv& env() const { return *env_; }
  const std::string& dir() const { return options_.dir; }

  // A checkpoint's state: synced, its pages kept from reuse while `reader` lives.
  struct Pin {
    std::unique_ptr<LmdbTxn> reader;
    std::int64_t revision = 0;
    std::string meta_pages;  // LMDB's pages 0 and 1 at that state
  };
  // Syncs LMDB and pins the state it synced (briefly holding up the writer to do so).
  Pin pin_checkpoint();
  // The checkpoint's revision when data.mdb was put back to it at open (the machine had
  // rebooted since the store last ran), else -1.
  std::int64_t restored_checkpoint() const { return restored_checkpoint_; }
  // Makes every committed transaction durable (a checkpoint: LMDB itself commits without syncing).
  void sync_to_disk();
  std::int64_t revision() const;
  void set_revision(std::int64_t revision);
  // Last change of every resource, as persisted (watch chains continue across restarts).
  std::map<std::string, std::int64_t> resource_revisions() const;

 private:
  struct Stored;
  class TxnCheck;

  StoreOptions options_;
  int lock_fd_ = -1;
  std::unique_ptr<LmdbEnv> env_;
  mutable std::mutex revision_mutex_;
  std::int64_t revision_ = 0;
  std::int64_t restored_checkpoint_ = -1;
};

// "pods/default/web": the LMDB key of an object. Validates the key (404/400 on nonsense).
std::string object_key(const v1::ObjectKey& key);

}  // namespace skiff::store
