// JetStream on libnats: stream management, acknowledged publish, reading with an ephemeral pull
// consumer, following with an ordered push consumer.
#include "nats_jetstream.hpp"

#include <mutex>

#include "nats_js_status.hpp"
#include "nats_publish_many.hpp"

namespace skiff::sdk {
namespace {

void check(const std::string& what, natsStatus s, jsErrCode code = static_cast<jsErrCode>(0)) {
  if (s != NATS_OK) throw Error(js_status(what, s, code));
}

StreamState state_of(const jsStreamInfo& info) {
  StreamState out;
  out.messages = info.State.Msgs;
  out.bytes = info.State.Bytes;
  out.first_sequence = info.State.FirstSeq;
  out.last_sequence = info.State.LastSeq;
  out.first_time_unix_nano = info.State.FirstTime;
  out.last_time_unix_nano = info.State.LastTime;
  if (info.Config) {
    out.replicas = static_cast<int>(info.Config->Replicas);
    out.max_bytes = info.Config->MaxBytes;
    out.max_age = std::chrono::seconds(info.Config->MaxAge / 1'000'000'000);
  }
  return out;
}

// libnats writes a start time's fraction without its leading zeros (12:00:05.050 goes out as
// 12:00:05.5), so the server would start up to a second late. Such a time is rounded down to its
// second; what lies before the asked time is dropped on arrival (too_early).
std::int64_t encodable_start(std::int64_t unix_nano) {
  constexpr std::int64_t second = 1'000'000'000;
  return unix_nano % second < second / 10 ? unix_nano - unix_nano % second : unix_nano;
}

void set_start(jsConsumerConfig& config, const ReadFrom& from) {
  switch (from.kind) {
    case ReadFrom::Kind::First: config.DeliverPolicy = js_DeliverAll; break;
    case ReadFrom::Kind::New: config.DeliverPolicy = js_DeliverNew; break;
    case ReadFrom::Kind::Sequence:
      config.DeliverPolicy = js_DeliverByStartSequence;
      config.OptStartSeq = from.sequence > 0 ? from.sequence : 1;
      break;
    case ReadFrom::Kind::Time:
      config.DeliverPolicy = js_DeliverByStartTime;
      config.OptStartTime = encodable_start(from.time_unix_nano);
      break;
  }
}

bool too_early(const StoredMessage& message, const ReadFrom& from) {
  return from.kind == ReadFrom::Kind::Time && message.time_unix_nano < from.time_unix_nano;
}

// The message and its stream sequence, time and the count still pending after it.
StoredMessage stored(natsMsg* msg, std::uint64_t* pending = nullptr) {
  StoredMessage out;
  out.subject = natsMsg_GetSubject(msg);
  out.data.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    out.sequence = meta->Sequence.Stream;
    out.time_unix_nano = meta->Timestamp;
    if (pending) *pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
  }
  return out;
}

struct FollowState {
  std::mutex mutex;
  bool active = true;
  ReadFrom from;
  std::function<void(const StoredMessage&)> handler;
  natsSubscription* sub = nullptr;
};

void on_followed(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto& state = **static_cast<std::shared_ptr<FollowState>*>(closure);
  StoredMessage message = stored(msg);
  natsMsg_Destroy(msg);
  std::lock_guard lock(state.mutex);
  if (state.active && !too_early(message, state.from)) state.handler(message);
}

void on_follow_complete(void* closure) { delete static_cast<std::shared_ptr<FollowState>*>(closure); }

class NatsJetStream final : public JetStream {
 public:
  explicit NatsJetStream(natsConnection* connection) : connection_(connection) {
    check("cannot open a context", natsConnection_JetStream(&js_, connection, nullptr));
  }
  ~NatsJetStream() override { jsCtx_Destroy(js_); }

  StreamState ensure_stream(const StreamSettings& settings) override {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    std::vector<const char*> subjects;
    for (const auto& s : settings.subjects) subjects.push_back(s.c_str());
    config.Name = settings.name.c_str();
    config.Subjects = subjects.data();
    config.SubjectsLen = static_cast<int>(subjects.size());
    config.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(settings.max_age).count();
    config.MaxBytes = settings.max_bytes;
    config.Replicas = settings.replicas;
    config.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(settings.duplicate_window).count();
    config.Storage = settings.memory ? js_MemoryStorage : js_FileStorage;
    config.Discard = js_DiscardOld;
    config.AllowDirect = true;
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&info, js_, &config, nullptr, &code);
    if (s != NATS_OK && code == JSStreamNameExistErr) s = js_UpdateStream(&info, js_, &config, nullptr, &code);
    check("cannot create or update stream " + settings.name, s, code);
    StreamState out = state_of(*info);
    jsStreamInfo_Destroy(info);
    return out;
  }

  std::optional<StreamState> stream_state(const std::string& stream) override {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &code);
    if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) return std::nullopt;
    check("cannot read stream " + stream, s, code);
    StreamState out = state_of(*info);
    jsStreamInfo_Destroy(info);
    return out;
  }

  void delete_stream(const std::string& stream) override {
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_DeleteStream(js_, stream.c_str(), nullptr, &code);
    if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) return;
    check("cannot delete stream " + stream, s, code);
  }

  PublishAck publish(const std::string& subject, std::string_view data, const std::string& message_id,
                     std::chrono::milliseconds timeout) override {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = timeout.count();
    if (!message_id.empty()) options.MsgId = message_id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()), &options, &code);
    check("publish on " + subject, s, code);
    PublishAck out{ack->Sequence, ack->Duplicate};
    jsPubAck_Destroy(ack);
    return out;
  }

  PublishManyResult publish_many(const std::vector<OutgoingMessage>& messages,
                                 std::chrono::milliseconds timeout) override {
    {
      std::lock_guard lock(many_mutex_);
      if (!many_) many_ = std::make_unique<NatsPublishMany>(connection_);
    }
    return many_->publish(messages, timeout);
  }

  std::vector<StoredMessage> read(const std::string& stream, const std::string& filter, ReadFrom from, std::size_t max,
                                  std::chrono::milliseconds timeout) override {
    std::vector<StoredMessage> out;
    if (max == 0) return out;
    natsSubscription* sub = pull_consumer(stream, filter, from);
    std::unique_ptr<natsSubscription, decltype(&natsSubscription_Destroy)> guard(sub, natsSubscription_Destroy);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    // A fetch of nothing waits out its expiry: ask first whether anything matches at all.
    std::uint64_t pending = pending_of(sub);
    while (pending > 0 && out.size() < max && std::chrono::steady_clock::now() < deadline) {
      if (!fetch(sub, std::min<std::size_t>(max - out.size(), 512), deadline, out, pending)) break;
      std::erase_if(out, [&](const StoredMessage& m) { return too_early(m, from); });
    }
    natsSubscription_Unsubscribe(sub);  // the ephemeral consumer goes with it
    return out;
  }

  Subscription follow(const std::string& stream, const std::string& filter, ReadFrom from,
                      std::function<void(const StoredMessage&)> on_message) override {
    // Start at the first sequence at that time: a start time goes through libnats' encoding.
    if (from.kind == ReadFrom::Kind::Time) from = first_sequence_at(stream, filter, from);
    auto state = std::make_shared<FollowState>();
    state->handler = std::move(on_message);
    state->from = from;
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Ordered = true;
    set_start(options.Config, from);
    auto* closure = new std::shared_ptr<FollowState>(state);
    jsErrCode code = static_cast<jsErrCode>(0);
    std::string subject = filter.empty() ? ">" : filter;  // libnats refuses no subject at all
    natsStatus s = js_Subscribe(&state->sub, js_, subject.c_str(), on_followed, closure, nullptr, &options, &code);
    if (s != NATS_OK) {
      delete closure;
      check("cannot follow " + stream + (filter.empty() ? "" : " (" + filter + ")"), s, code);
    }
    if (natsSubscription_SetOnCompleteCB(state->sub, on_follow_complete, closure) != NATS_OK) delete closure;
    return Subscription([state] {
      {
        std::lock_guard lock(state->mutex);
        state->active = false;
      }
      natsSubscription_Unsubscribe(state->sub);
      natsSubscription_Destroy(state->sub);
    });
  }

 private:
  // The stream's last sequence is taken first: a message stored meanwhile comes after it.
  ReadFrom first_sequence_at(const std::string& stream, const std::string& filter, const ReadFrom& from) {
    auto state = stream_state(stream);
    std::uint64_t next = state ? state->last_sequence + 1 : 1;
    auto first = read(stream, filter, from, 1, std::chrono::seconds(5));
    return ReadFrom::at_sequence(first.empty() ? next : first.front().sequence);
  }

  natsSubscription* pull_consumer(const std::string& stream, const std::string& filter, const ReadFrom& from) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Config.AckPolicy = js_AckNone;
    options.Config.InactiveThreshold = 60'000'000'000;  // an abandoned read's consumer goes after a minute
    set_start(options.Config, from);
    natsSubscription* sub = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    std::string subject = filter.empty() ? ">" : filter;
    check("cannot read " + stream, js_PullSubscribe(&sub, js_, subject.c_str(), nullptr, nullptr, &options, &code), code);
    return sub;
  }

  static std::uint64_t pending_of(natsSubscription* sub) {
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    check("cannot read the consumer", natsSubscription_GetConsumerInfo(&info, sub, nullptr, &code), code);
    std::uint64_t pending = info->NumPending;
    jsConsumerInfo_Destroy(info);
    return pending;
  }

  // One batch into `out`; false when there was nothing (more) to fetch before the deadline.
  static bool fetch(natsSubscription* sub, std::size_t batch, std::chrono::steady_clock::time_point deadline,
                    std::vector<StoredMessage>& out, std::uint64_t& pending) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = static_cast<int>(batch);
    request.NoWait = true;  // what is stored now, not what may come
    request.Expires = std::max<std::int64_t>(left.count(), 1) * 1'000'000;
    natsMsgList list{nullptr, 0};
    natsStatus s = natsSubscription_FetchRequest(&list, sub, &request);
    if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND) return false;
    check("fetch", s);
    int count = list.Count;  // natsMsgList_Destroy zeroes it
    for (int i = 0; i < count; ++i) out.push_back(stored(list.Msgs[i], &pending));
    natsMsgList_Destroy(&list);
    return count > 0;
  }

  natsConnection* connection_;
  jsCtx* js_ = nullptr;
  std::mutex many_mutex_;
  std::unique_ptr<NatsPublishMany> many_;  // its own context: made on the first publish_many
};

}  // namespace

std::unique_ptr<JetStream> make_nats_jetstream(natsConnection* connection) {
  return std::make_unique<NatsJetStream>(connection);
}

}  // namespace skiff::sdk
