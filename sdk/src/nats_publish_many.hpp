// JetStream::publish_many on libnats: every message goes out as an asynchronous publish on a
// JetStream context of its own, then all acks are awaited together — one round trip's wait
// for a whole batch instead of one per message.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "skiff/sdk/jetstream.hpp"

namespace skiff::sdk {

class NatsPublishMany {
 public:
  explicit NatsPublishMany(natsConnection* connection);
  ~NatsPublishMany();
  NatsPublishMany(const NatsPublishMany&) = delete;
  NatsPublishMany& operator=(const NatsPublishMany&) = delete;

  PublishManyResult publish(const std::vector<OutgoingMessage>& messages, std::chrono::milliseconds timeout);

 private:
  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  void acknowledged(natsMsg* msg, const jsPubAckErr* error);
  Status send(const OutgoingMessage& message, std::size_t index);
  void await(std::chrono::milliseconds timeout);
  PublishManyResult result(std::size_t count, const Status& send_error);

  jsCtx* js_ = nullptr;
  std::mutex call_mutex_;  // one batch at a time: a completion waits for all of the context's
  std::mutex mutex_;       // guards what the ack callback touches
  std::unordered_map<natsMsg*, std::size_t> in_flight_;  // message -> its index in the batch
  std::vector<char> acked_;
  std::map<std::size_t, Status> refused_;  // by index: what the server answered instead
};

}  // namespace skiff::sdk
