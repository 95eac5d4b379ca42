#include "nats_publish_many.hpp"

#include "nats_js_status.hpp"

namespace skiff::sdk {

namespace {
constexpr std::int64_t kMaxPending = 65'536;  // more than any batch: a batch never stalls on it
}

NatsPublishMany::NatsPublishMany(natsConnection* connection) {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = kMaxPending;
  options.PublishAsync.AckHandler = &NatsPublishMany::on_ack;
  options.PublishAsync.AckHandlerClosure = this;
  natsStatus s = natsConnection_JetStream(&js_, connection, &options);
  if (s != NATS_OK) throw Error(js_status("cannot open a context", s, static_cast<jsErrCode>(0)));
}

NatsPublishMany::~NatsPublishMany() { jsCtx_Destroy(js_); }

void NatsPublishMany::on_ack(jsCtx*, natsMsg* msg, jsPubAck*, jsPubAckErr* error, void* closure) {
  static_cast<NatsPublishMany*>(closure)->acknowledged(msg, error);
}

// The message is ours again here: it is forgotten before it is destroyed, so a later message
// at the same address cannot be mistaken for it.
void NatsPublishMany::acknowledged(natsMsg* msg, const jsPubAckErr* error) {
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(msg);
    if (it != in_flight_.end()) {
      if (error) refused_[it->second] = js_status("publish on " + std::string(natsMsg_GetSubject(msg)), error->Err,
                                                  error->ErrCode);
      else acked_[it->second] = 1;
      in_flight_.erase(it);
    }
  }
  natsMsg_Destroy(msg);
}

Status NatsPublishMany::send(const OutgoingMessage& message, std::size_t index) {
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, message.subject.c_str(), nullptr, message.data.data(),
                                static_cast<int>(message.data.size()));
  if (s != NATS_OK) return js_status("publish on " + message.subject, s, static_cast<jsErrCode>(0));
  {
    std::lock_guard lock(mutex_);
    in_flight_[msg] = index;
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  if (!message.message_id.empty()) options.MsgId = message.message_id.c_str();
  natsMsg* sent = msg;
  s = js_PublishMsgAsync(js_, &sent, &options);
  if (s == NATS_OK) return Status::Ok();
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(msg);
  }
  natsMsg_Destroy(sent);  // not taken: still ours
  return js_status("publish on " + message.subject, s, static_cast<jsErrCode>(0));
}

// Waits for the acks; what has none by then is taken back (a late ack is then ignored).
void NatsPublishMany::await(std::chrono::milliseconds timeout) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = std::max<std::int64_t>(timeout.count(), 1);
  if (js_PublishAsyncComplete(js_, &options) == NATS_OK) return;
  natsMsgList pending{nullptr, 0};
  if (js_PublishAsyncGetPendingList(&pending, js_) != NATS_OK) return;
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < pending.Count; ++i) in_flight_.erase(pending.Msgs[i]);
  }
  natsMsgList_Destroy(&pending);
}

PublishManyResult NatsPublishMany::result(std::size_t count, const Status& send_error) {
  std::lock_guard lock(mutex_);
  PublishManyResult out;
  while (out.stored < count && acked_[out.stored]) ++out.stored;
  if (out.stored == count) return out;
  if (auto it = refused_.find(out.stored); it != refused_.end()) out.error = it->second;
  else if (!send_error.ok()) out.error = send_error;
  else out.error = Status::Timeout("JetStream: publish: no acknowledgement in time from the stream");
  in_flight_.clear();
  return out;
}

PublishManyResult NatsPublishMany::publish(const std::vector<OutgoingMessage>& messages,
                                           std::chrono::milliseconds timeout) {
  std::lock_guard call(call_mutex_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::lock_guard lock(mutex_);
    acked_.assign(messages.size(), 0);
    refused_.clear();
  }
  Status send_error;
  std::size_t sent = 0;
  for (; sent < messages.size(); ++sent) {
    send_error = send(messages[sent], sent);
    if (!send_error.ok()) break;
  }
  if (sent > 0)
    await(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  return result(messages.size(), send_error);
}

}  // namespace skiff::sdk
