// JetStream on the bus: durable, retention-limited streams that addons own (cluster logging).
// A thin layer over libnats' JetStream API, on the connection of the Bus it came from
// (Bus::jetstream()). Errors are sdk::Error: 503 when the server has no JetStream or the stream
// is missing, 504 on a timeout, 400 for a bad setting, 507 when the stream is full and refuses.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

struct StreamSettings {
  std::string name;
  std::vector<std::string> subjects;
  std::chrono::seconds max_age{0};  // 0: no age limit
  std::int64_t max_bytes = -1;      // -1: no byte limit; the oldest messages go first
  int replicas = 1;                 // at most the NATS cluster's size
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};  // Nats-Msg-Id dedup window
  bool memory = false;              // file storage unless set
};

struct StreamState {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::int64_t first_time_unix_nano = 0;
  std::int64_t last_time_unix_nano = 0;
  int replicas = 1;
  std::int64_t max_bytes = -1;
  std::chrono::seconds max_age{0};
};

struct PublishAck {
  std::uint64_t sequence = 0;
  bool duplicate = false;  // the same message id was stored before, within the window
};

// A message for publish_many().
struct OutgoingMessage {
  std::string subject;
  std::string data;
  std::string message_id;  // empty: none (no duplicate detection)
};

struct PublishManyResult {
  std::size_t stored = 0;  // how many, from the first on, the stream has acknowledged
  Status error;            // ok() when all are stored; else why the first of the rest is not
};

struct StoredMessage {
  std::string subject;
  std::string data;
  std::uint64_t sequence = 0;
  std::int64_t time_unix_nano = 0;  // when the server stored it
};

// Where reading starts.
struct ReadFrom {
  enum class Kind { First, Sequence, Time, New } kind = Kind::First;
  std::uint64_t sequence = 0;  // Kind::Sequence: this one and later
  std::int64_t time_unix_nano = 0;  // Kind::Time: stored at or after
  static ReadFrom first() { return {}; }
  static ReadFrom at_sequence(std::uint64_t s) { return {Kind::Sequence, s, 0}; }
  static ReadFrom at_time(std::int64_t t) { return {Kind::Time, 0, t}; }
  static ReadFrom only_new() { return {Kind::New, 0, 0}; }
};

class JetStream {
 public:
  virtual ~JetStream() = default;

  // Creates the stream, or updates it to these settings when it exists.
  virtual StreamState ensure_stream(const StreamSettings& settings) = 0;
  // nullopt when there is no such stream.
  virtual std::optional<StreamState> stream_state(const std::string& stream) = 0;
  virtual void delete_stream(const std::string& stream) = 0;

  // Stores one message and waits for the server's ack. With a message id, the same id sent
  // again within the stream's duplicate window is acknowledged but not stored twice.
  virtual PublishAck publish(const std::string& subject, std::string_view data, const std::string& message_id = "",
                             std::chrono::milliseconds timeout = std::chrono::seconds(5)) = 0;

  // Stores many messages with one round trip's wait: all are sent, then their acks awaited
  // together, for at most `timeout`. Says how many, from the first on, are stored; the rest may
  // be stored or not (send them again with the same ids: the duplicates are not stored). This
  // default sends them one by one; the NATS JetStream pipelines them.
  virtual PublishManyResult publish_many(const std::vector<OutgoingMessage>& messages,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Up to `max` stored messages of `stream` whose subject matches `filter` (wildcards allowed;
  // empty: all), from `from` on, in stream order; fewer when the stream has no more.
  virtual std::vector<StoredMessage> read(const std::string& stream, const std::string& filter, ReadFrom from,
                                          std::size_t max, std::chrono::milliseconds timeout = std::chrono::seconds(5)) = 0;

  // Calls `on_message` for each matching message from `from` on, in order, as they are stored
  // (no gaps, no repeats: an ordered consumer), until the Subscription goes.
  virtual Subscription follow(const std::string& stream, const std::string& filter, ReadFrom from,
                              std::function<void(const StoredMessage&)> on_message) = 0;
};

}  // namespace skiff::sdk
