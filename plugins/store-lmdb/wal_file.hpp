// The write-ahead log: numbered, preallocated segment files in `<data_dir>/wal/`, each a
// magic header and then records framed as [u32 length][u32 CRC32C of the payload][payload].
// The writer appends (no sync), one other thread syncs; a sync covers everything appended
// before it, which is what lets one fdatasync acknowledge a whole group commit.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::store {

constexpr std::string_view kWalMagic = "SKIFFWAL";  // the first 8 bytes of every segment
constexpr std::size_t kWalFrameHeader = 8;

std::string wal_segment_name(std::uint64_t sequence);
// The log's segments in `wal_dir`, oldest first (numbers from their names).
std::vector<std::pair<std::uint64_t, std::string>> wal_segments(const std::string& wal_dir);

class WalFile {
 public:
  // Opens `wal_dir` (creating it) and starts a new segment after the ones there; older segments
  // are only read by recovery and removed by recycle(). Throws sdk::Error naming the fix.
  WalFile(std::string wal_dir, std::size_t segment_size);
  ~WalFile();
  WalFile(const WalFile&) = delete;
  WalFile& operator=(const WalFile&) = delete;

  // Writer thread: frames and writes one record holding revisions up to `revision`; rolls
  // over to a new segment (syncing the full one) when it does not fit.
  void append(std::string_view payload, std::int64_t revision);
  // Writer thread: takes back the record just appended (its LMDB commit failed, so its writes
  // were refused): zeroes it, durably, and the next record goes where it was.
  void discard_last();
  // Any thread: makes every record appended before the call durable (fdatasync).
  void sync();
  // Removes full segments whose records are all at or below `revision` (checkpointed).
  void recycle(std::int64_t revision);
  // Bytes appended since this WalFile opened (the checkpointer's size trigger).
  std::uint64_t appended_bytes() const;

 private:
  struct Segment;
  std::shared_ptr<Segment> create_segment(std::uint64_t sequence, std::size_t size);

  std::string dir_;
  std::size_t segment_size_;
  mutable std::mutex mutex_;  // current_, full_, appended_
  std::shared_ptr<Segment> current_;
  std::deque<std::shared_ptr<Segment>> full_;
  std::uint64_t appended_ = 0;
};

}  // namespace skiff::store
