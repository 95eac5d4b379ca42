// Collects the lines the followers read into batches for the publisher: a batch goes when it
// has `max_lines` lines or its first line has waited `max_wait`, whichever comes first, so a
// busy node sends few large batches and a quiet one still ships a line within `max_wait`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "log_positions.hpp"

namespace skiff::kubelet {

// One message for the log stream, and what storing it means for its container's position.
struct ShipRecord {
  std::string subject;
  std::string message_id;
  std::string data;  // a serialized logging.v1.LogLine
  std::string container_id;
  LogPosition position;  // the container's, once this record is stored
  bool ends_line = true; // the last part of its line: only then does the position move
};

class LogBatcher {
 public:
  using Clock = std::chrono::steady_clock;
  LogBatcher(std::size_t max_lines, std::chrono::milliseconds max_wait) : max_lines_(max_lines), max_wait_(max_wait) {}

  void add(ShipRecord record);
  // Waits for a batch (full, or its first line waited long enough) until `until`; after
  // close() what is left comes at once. Empty when nothing came in time or all is taken.
  std::vector<ShipRecord> next(Clock::time_point until);
  // No more waiting: next() returns what is there.
  void close();
  bool closed() const;
  std::size_t size() const;

 private:
  std::size_t max_lines_;
  std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<Clock::time_point, ShipRecord>> queue_;
  bool closed_ = false;
};

}  // namespace skiff::kubelet
