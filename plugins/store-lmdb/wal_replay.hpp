// Recovery: the log's batches that LMDB does not hold yet, applied before the store serves.
#pragma once

#include <string>
#include <vector>

#include "object_store.hpp"
#include "wal_recovery.hpp"

namespace skiff::store {

struct WalReplay {
  WalReadSummary read;
  std::int64_t from_revision = 0;  // the store's revision before the replay
  std::vector<std::vector<sdk::StoreChange>> commits;  // the replayed batches' watch events
};

// Applies to `store` every logged batch after its revision, oldest first, before it serves:
// what was acknowledged (or only logged) but not yet in LMDB when skiffd stopped.
WalReplay replay_wal(ObjectStore& store, const std::string& wal_dir);

}  // namespace skiff::store
