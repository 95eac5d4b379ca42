// Reads the matching lines of a query out of the log stream, bounded: oldest first it stops
// once `limit` lines are kept (and kOrderSlack more of the stream is read); newest first it
// reads backwards in growing windows of sequence numbers and keeps only the newest `limit`.
// Either way it stops at the query's deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "log_filter.hpp"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/jetstream.hpp"

namespace skiff::logging {

// A line is stored after it is written, and nodes' clocks differ from the bus's a little: a
// query's `since` is moved back by this much when it is turned into a stream position.
inline constexpr std::chrono::minutes kStoreDelaySlack{2};
// Lines of different shippers arrive out of their time order by up to this much (a batch's
// delay): once `limit` lines are kept, the scan reads this much further in stream time, so the
// answer is the oldest (newest) `limit` by the lines' own times, not by arrival.
inline constexpr std::chrono::seconds kOrderSlack{10};

struct ScanOptions {
  std::string stream;          // the JetStream stream
  std::string subject_filter;  // narrows the read (LogFilter::subject_filter)
  std::size_t limit = 0;       // at least 1
  bool newest_first = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<void()> on_progress;  // after every read from the stream (keepalives)
};

struct ScanResult {
  std::vector<v1::LogEntry> entries;  // by line time: oldest first, or newest first
  // More lines matched than `limit` (or may have: the scan stopped with lines left unread), or
  // the deadline cut the scan.
  bool truncated = false;
  std::uint64_t last_sequence = 0;    // the stream's last sequence when the scan began
  std::uint64_t read = 0;             // messages read from the stream
};

// Throws sdk::Error(503) when the stream does not exist (the addon is not running).
ScanResult scan_logs(sdk::JetStream& js, const ScanOptions& options, const LogFilter& filter);

// Orders by line time, then by stream sequence (lines of one container keep their order).
void sort_by_time(std::vector<v1::LogEntry>& entries, bool newest_first);

}  // namespace skiff::logging
