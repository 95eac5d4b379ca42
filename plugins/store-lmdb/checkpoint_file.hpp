// `<data_dir>/checkpoint`: the boot it was taken in, the revision, and LMDB's two meta pages as
// they were at the checkpoint. LMDB commits without syncing, so after an OS crash or power
// loss data.mdb's newest meta page may point at pages that never reached the disk; the
// checkpoint's pages are kept intact (a read transaction pins them) until the next checkpoint
// is written, so putting its meta pages back gives a consistent data.mdb to replay the log on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace skiff::store {

struct CheckpointFile {
  std::string boot_id;
  std::int64_t revision = 0;
  std::string meta_pages;  // LMDB's pages 0 and 1
};

// This boot's id (/proc/sys/kernel/random/boot_id; tests set SKIFF_STORE_LMDB_BOOT_ID).
std::string current_boot_id();

// Written to a temporary file, synced, renamed over the old one, directory synced.
void write_checkpoint_file(const std::string& data_dir, const CheckpointFile& checkpoint);
std::optional<CheckpointFile> read_checkpoint_file(const std::string& data_dir);

// Puts the checkpoint's meta pages back into data.mdb (before LMDB opens it) and syncs.
void restore_meta_pages(const std::string& data_dir, const CheckpointFile& checkpoint);

}  // namespace skiff::store
