// A batch at or below data.mdb's revision is there already (LMDB commits reach the page cache
// before skiffd can die); the first one above must follow it without a gap.
#include "wal_replay.hpp"

#include "skiff/sdk/status.hpp"
#include "wal_record.hpp"

namespace skiff::store {

using sdk::Error;
using sdk::Status;

WalReplay replay_wal(ObjectStore& store, const std::string& wal_dir) {
  WalReplay replay;
  replay.from_revision = store.revision();
  replay.read = read_wal(wal_dir, [&](std::string_view payload) {
    auto batch = decode_batch(payload);
    if (!batch)
      throw Error(Status::Internal("store: a log record in " + wal_dir + " passed its CRC32C check but is not a "
                                   "store-lmdb batch (written by another version?); move the wal directory away"));
    if (batch->revision <= store.revision() || batch->mutations.empty()) return;  // LMDB has it already
    std::int64_t first = batch->mutations.front().revision;
    if (first != store.revision() + 1)
      throw Error(Status::Internal("store: the log in " + wal_dir + " continues at revision " + std::to_string(first) +
                                   " but data.mdb is at " + std::to_string(store.revision()) +
                                   ": data.mdb lost checkpointed writes (disk trouble?); restore the data dir from "
                                   "a backup"));
    std::vector<sdk::StoreChange> changes = changes_of(*batch);
    store.replay(*batch, changes);
    replay.commits.push_back(std::move(changes));
  });
  return replay;
}

}  // namespace skiff::store
