#include "log_publisher.hpp"

#include <spdlog/logger.h>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace {

constexpr std::size_t kDrainBatch = 500;
constexpr std::chrono::seconds kRetryAfter{1};

}  // namespace

ShipperCounters::ShipperCounters(sdk::Metrics& metrics)
    : shipped(metrics.counter("skiff_log_lines_shipped_total", "Log line messages stored in the cluster's log stream")),
      buffered(metrics.gauge("skiff_log_lines_buffered",
                             "Log line messages waiting in the kubelet's disk buffer for the log stream")),
      dropped(metrics.counter("skiff_log_lines_dropped_total",
                              "Log line messages dropped because the disk buffer was full (log_buffer_bytes)")),
      buffer_bytes(metrics.gauge("skiff_log_buffer_bytes", "Bytes of the kubelet's log disk buffer in use")) {}

LogPublisher::LogPublisher(sdk::JetStream& stream, LogDiskBuffer& buffer, LogPositions& positions,
                           ShipperCounters& counters, spdlog::logger& log, std::chrono::milliseconds publish_timeout)
    : stream_(stream), buffer_(buffer), positions_(positions), counters_(counters), log_(log), timeout_(publish_timeout) {
  update_gauges();
}

std::size_t LogPublisher::publish(const std::vector<sdk::OutgoingMessage>& messages) {
  if (messages.empty() || (away_ && std::chrono::steady_clock::now() < retry_at_)) return 0;
  auto result = stream_.publish_many(messages, timeout_);
  counters_.shipped.inc(static_cast<double>(result.stored));
  if (result.error.ok()) {
    if (away_.exchange(false)) log_.info("log shipping: the log stream takes lines again; sending the disk buffer first");
    return result.stored;
  }
  retry_at_ = std::chrono::steady_clock::now() + kRetryAfter;
  if (!away_.exchange(true))
    log_.warn("log shipping: the log stream does not take lines ({}); keeping them in the disk buffer until it does",
              result.error.message);
  return result.stored;
}

void LogPublisher::keep(const ShipRecord& record) {
  if (buffer_.append({record.subject, record.message_id, record.data})) {
    full_ = false;
    return;
  }
  counters_.dropped.inc();
  if (!full_)
    log_.error("log shipping: the disk buffer is full (log_buffer_bytes); dropping log lines until the log stream "
               "takes lines again (counted in skiff_log_lines_dropped_total)");
  full_ = true;
}

void LogPublisher::ship(std::vector<ShipRecord> batch) {
  std::size_t stored = 0;
  if (drain()) {  // older lines first: while the buffer holds some, new ones queue behind
    std::vector<sdk::OutgoingMessage> messages;
    messages.reserve(batch.size());
    for (const auto& r : batch) messages.push_back({r.subject, r.data, r.message_id});
    stored = publish(messages);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i >= stored) keep(batch[i]);
    if (batch[i].ends_line) positions_.set(batch[i].container_id, batch[i].position);
  }
  positions_.save();
  update_gauges();
}

bool LogPublisher::drain() {
  while (!buffer_.empty()) {
    auto records = buffer_.front(kDrainBatch);
    std::vector<sdk::OutgoingMessage> messages;
    messages.reserve(records.size());
    for (auto& r : records) messages.push_back({std::move(r.subject), std::move(r.data), std::move(r.message_id)});
    std::size_t sent = publish(messages);
    buffer_.pop(sent);
    update_gauges();
    if (sent < messages.size()) return false;
  }
  return true;
}

void LogPublisher::update_gauges() {
  counters_.buffered.set(static_cast<double>(buffer_.records()));
  counters_.buffer_bytes.set(static_cast<double>(buffer_.bytes()));
}

}  // namespace skiff::kubelet
