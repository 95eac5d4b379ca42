// Reading the log back after a stop or a crash: every intact record, oldest first. A bad
// frame in the last segment is a torn tail (records written but never synced, so never
// acknowledged) and is cut off there; a bad frame in an older segment, which was synced
// before the next one began, is corruption and refuses the start.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace skiff::store {

struct WalReadSummary {
  std::size_t segments = 0;
  std::size_t records = 0;
  std::uint64_t torn_bytes = 0;  // cut off the last segment's tail (0: it ended cleanly)
};

// Calls `each` with every intact record's payload; throws sdk::Error naming the bad segment
// and offset (and the way out) when an older segment is damaged.
WalReadSummary read_wal(const std::string& wal_dir, const std::function<void(std::string_view payload)>& each);

// Deletes every segment in `wal_dir` (after their records reached a synced checkpoint).
void remove_wal_segments(const std::string& wal_dir);

}  // namespace skiff::store
