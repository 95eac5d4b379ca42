// Stores batches of log lines in the cluster's log stream with acknowledged JetStream publishes,
// a batch at a time (publish_many; the message ids make a batch sent again harmless), keeps them in the disk
// buffer while the stream cannot take them, sends the buffer first, in order, once it can,
// and moves each container's position once its lines are stored either way.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "log_batcher.hpp"
#include "log_disk_buffer.hpp"
#include "log_positions.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/metrics.hpp"

namespace spdlog {
class logger;
}

namespace skiff::kubelet {

// The shipper's figures, as metrics (skiff_log_lines_*) and for its health.
struct ShipperCounters {
  explicit ShipperCounters(sdk::Metrics& metrics);
  sdk::Counter& shipped;
  sdk::Gauge& buffered;
  sdk::Counter& dropped;
  sdk::Gauge& buffer_bytes;
};

class LogPublisher {
 public:
  LogPublisher(sdk::JetStream& stream, LogDiskBuffer& buffer, LogPositions& positions, ShipperCounters& counters,
               spdlog::logger& log, std::chrono::milliseconds publish_timeout = std::chrono::seconds(5));

  // Stores the batch (in the stream, else in the buffer; a line the full buffer refuses is
  // dropped and counted) and saves the positions it reached.
  void ship(std::vector<ShipRecord> batch);
  // Sends what the buffer holds while the stream takes it; true when the buffer is empty.
  bool drain();
  bool stream_away() const { return away_; }

 private:
  // How many of the messages, from the first on, the stream stored (all of them in one round).
  std::size_t publish(const std::vector<sdk::OutgoingMessage>& messages);
  void keep(const ShipRecord& record);  // into the buffer, or dropped
  void update_gauges();

  sdk::JetStream& stream_;
  LogDiskBuffer& buffer_;
  LogPositions& positions_;
  ShipperCounters& counters_;
  spdlog::logger& log_;
  std::chrono::milliseconds timeout_;
  std::atomic<bool> away_{false};
  // While away, the stream is asked again only this long after it last failed (a dead bus
  // costs one timeout per retry, not one per line).
  std::chrono::steady_clock::time_point retry_at_{};
  bool full_ = false;  // the buffer refused a line since it last had room (logged once)
};

}  // namespace skiff::kubelet
