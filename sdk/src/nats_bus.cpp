// Bus over libnats: one connection per owner, async subscriptions, blocking requests.
#include <nats/nats.h>

#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "nats_error.hpp"
#include "nats_jetstream.hpp"
#include "nothing_serves.hpp"
#include "skiff/sdk/bus_options.hpp"

namespace skiff::sdk {
namespace {

Headers read_headers(natsMsg* msg) {
  Headers headers;
  const char** keys = nullptr;
  int key_count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &key_count) != NATS_OK) return headers;
  for (int i = 0; i < key_count; ++i) {
    const char** values = nullptr;
    int value_count = 0;
    if (natsMsgHeader_Values(msg, keys[i], &values, &value_count) == NATS_OK) {
      for (int j = 0; j < value_count; ++j) headers.emplace_back(keys[i], values[j]);
      free(values);
    }
  }
  free(keys);
  return headers;
}

Message to_message(natsMsg* msg) {
  Message message;
  message.subject = natsMsg_GetSubject(msg);
  if (const char* reply = natsMsg_GetReply(msg)) message.reply = reply;
  message.data.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  message.headers = read_headers(msg);
  return message;
}

// Builds a message; the caller owns it.
natsMsg* make_message(std::string_view subject, std::string_view reply, std::string_view data,
                      const Headers& headers) {
  natsMsg* msg = nullptr;
  std::string subject_text(subject), reply_text(reply);
  natsStatus s = natsMsg_Create(&msg, subject_text.c_str(), reply_text.empty() ? nullptr : reply_text.c_str(),
                                data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) throw Error(Status::Internal("bus: cannot build a message for " + subject_text + ": " + nats_error(s)));
  for (const auto& [key, value] : headers) natsMsgHeader_Add(msg, key.c_str(), value.c_str());
  return msg;
}

// Shared by a subscription's handler and its owner; the mutex makes cancel() wait for a
// running handler, and `active` stops any delivery that was already queued.
using DeliveryHandler = std::function<void(Message&&)>;  // takes the message: no copy on the hot path

struct SubscriptionState {
  std::recursive_mutex mutex;
  bool active = true;
  DeliveryHandler handler;
  natsSubscription* sub = nullptr;
};

void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto& state = **static_cast<std::shared_ptr<SubscriptionState>*>(closure);
  Message message = to_message(msg);
  natsMsg_Destroy(msg);
  std::lock_guard lock(state.mutex);
  if (state.active) state.handler(std::move(message));
}

void on_subscription_complete(void* closure) { delete static_cast<std::shared_ptr<SubscriptionState>*>(closure); }

// Lets a Request copy that outlives the bus answer safely: once the bus is gone, replies are dropped.
struct ConnectionHandle {
  std::shared_mutex mutex;
  natsConnection* connection = nullptr;

  void publish(natsMsg* msg) {
    std::shared_lock lock(mutex);
    if (connection) natsConnection_PublishMsg(connection, msg);  // a lost reply surfaces as the caller's timeout
  }
};

class NatsBus final : public Bus {
 public:
  NatsBus(const BusOptions& options, BusWarningSink warnings) {
    callbacks_->warnings = std::move(warnings);
    open_library();
    natsOptions* opts = nullptr;
    check(natsOptions_Create(&opts), "cannot allocate options");
    std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> guard(opts, natsOptions_Destroy);
    configure(opts, options);
    natsStatus s = connect_with_retries(opts);
    handle_->connection = connection_;
    if (s != NATS_OK) {
      delete closure_;  // no connection, so no closed callback will free it
      std::string urls;
      for (const auto& url : options.urls) urls += (urls.empty() ? "" : ",") + url;
      std::string hint = s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED
                             ? "check the bus credentials (token, user/password or credentials file)"
                             : "is nats-server running there? check bus.url in the profile";
      throw Error(Status::Unavailable("bus: cannot connect to " + urls + ": " + nats_error(s) + "; " + hint));
    }
  }

  // Two more tries, 0.5 s in all, before giving up. A server that is starting or starved of CPU
  // may drop a connection in its handshake ("Expected 'PONG', got ''"), and nats-server 2.9
  // refuses every login for the instant it reloads its users (a master minting another
  // node's credentials), so an authorization error is retried too; wrong credentials still
  // fail within the 0.5 s.
  natsStatus connect_with_retries(natsOptions* opts) {
    natsStatus s = NATS_OK;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt * attempt));
      s = natsConnection_Connect(&connection_, opts);
      if (s == NATS_OK) break;
    }
    return s;
  }

  ~NatsBus() override {
    {
      std::unique_lock lock(handle_->mutex);
      handle_->connection = nullptr;
    }
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }

  void publish(std::string_view subject, std::string_view data, const Headers& headers) override {
    natsMsg* msg = make_message(subject, {}, data, headers);
    natsStatus s = natsConnection_PublishMsg(connection_, msg);
    natsMsg_Destroy(msg);
    if (s != NATS_OK)
      throw Error(Status::Unavailable("bus: publish on " + std::string(subject) + " failed: " + nats_error(s)));
  }

  Subscription subscribe(std::string_view subject, MessageHandler handler) override {
    return make_subscription(subject, {}, [handler = std::move(handler)](Message&& message) { handler(message); });
  }

  Subscription serve(std::string_view subject, std::string_view queue_group, RequestHandler handler) override {
    return make_subscription(subject, queue_group, [handle = handle_, handler = std::move(handler)](Message&& msg) {
      std::string reply_to = msg.reply;
      Request request(std::move(msg), [handle, reply_to = std::move(reply_to)](std::string_view data, const Headers& headers) {
        natsMsg* reply = make_message(reply_to, {}, data, headers);
        handle->publish(reply);
        natsMsg_Destroy(reply);
      });
      try {
        handler(request);
      } catch (const Error& e) {
        request.fail(e.status());
      } catch (const std::exception& e) {
        request.fail(Status::Internal(e.what()));
      }
    });
  }

  Reply request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout,
                const Headers& headers) override {
    Headers with_trace = headers;
    if (find_header(with_trace, header::kTraceId).empty()) with_trace.emplace_back(header::kTraceId, new_trace_id());
    natsMsg* msg = make_message(subject, {}, data, with_trace);
    natsMsg* reply_msg = nullptr;
    natsStatus s = natsConnection_RequestMsg(&reply_msg, connection_, msg, timeout.count());
    natsMsg_Destroy(msg);
    Reply reply;
    std::string name(subject);
    if (s == NATS_TIMEOUT) {
      reply.status = Status::Timeout("bus: no reply on " + name + " within " + std::to_string(timeout.count()) + "ms");
    } else if (s == NATS_NO_RESPONDERS) {
      reply.status = Status::Unavailable(kNothingServesPrefix + name + "; is the plugin that serves it running?");
    } else if (s != NATS_OK) {
      reply.status = Status::Unavailable("bus: request on " + name + " failed: " + nats_error(s));
    } else {
      reply.headers = read_headers(reply_msg);
      reply.status = status_from_headers(reply.headers);
      reply.data.assign(natsMsg_GetData(reply_msg), natsMsg_GetDataLength(reply_msg));
      natsMsg_Destroy(reply_msg);
    }
    return reply;
  }

  void flush(std::chrono::milliseconds timeout) override {
    natsStatus s = natsConnection_FlushTimeout(connection_, timeout.count());
    if (s != NATS_OK) throw Error(Status::Unavailable("bus: flush failed: " + nats_error(s)));
  }

  Subscription on_connection_event(std::function<void(ConnectionEvent)> listener) override {
    std::lock_guard lock(callbacks_->mutex);
    int id = callbacks_->next_id++;
    callbacks_->by_id[id] = std::move(listener);
    return Subscription([callbacks = callbacks_, id] {
      std::lock_guard lock(callbacks->mutex);
      callbacks->by_id.erase(id);
    });
  }

  bool connected() const override { return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED; }

  std::string connected_url() const override {
    char buffer[256] = {0};
    if (natsConnection_GetConnectedUrl(connection_, buffer, sizeof buffer) != NATS_OK) return {};
    return buffer;
  }

 private:
  // Shared with libnats' callback thread, which may call after the NatsBus is gone: the closed
  // callback comes last and releases libnats' reference (the heap shared_ptr in `closure`).
  struct Callbacks {
    std::recursive_mutex mutex;
    int next_id = 0;
    std::map<int, std::function<void(ConnectionEvent)>> by_id;
    BusWarningSink warnings;

    void notify(ConnectionEvent event) {
      std::lock_guard lock(mutex);
      for (auto& [id, listener] : by_id) listener(event);
    }
  };
  using CallbacksRef = std::shared_ptr<Callbacks>;

  // libnats spins 2000 times on a contended lock before sleeping; with many requesting
  // threads on a 2-core machine the spinning steals the CPU from the thread holding the lock.
  static void open_library() {
    static std::once_flag once;
    std::call_once(once, [] { nats_Open(0); });
  }

  static void check(natsStatus s, const char* what) {
    if (s != NATS_OK) throw Error(Status::Internal(std::string("bus: ") + what + ": " + nats_error(s)));
  }

  void configure(natsOptions* opts, const BusOptions& options) {
    if (options.urls.empty())
      throw Error(Status::BadRequest("bus: no server URL; set bus.url (nats://host:4222) or use `bus: embedded`"));
    if (!options.has_credentials())
      throw Error(Status::BadRequest("bus: no credentials; the bus always requires them: set bus.token, "
                                     "bus.user and bus.password, or bus.credentials"));
    std::vector<const char*> urls;
    for (const auto& url : options.urls) urls.push_back(url.c_str());
    check(natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size())), "invalid server URL");
    if (!options.token.empty()) check(natsOptions_SetToken(opts, options.token.c_str()), "invalid token");
    if (!options.user.empty() && options.password.empty())
      throw Error(Status::BadRequest("bus: user '" + options.user + "' has no password; set bus.password too"));
    if (!options.user.empty())
      check(natsOptions_SetUserInfo(opts, options.user.c_str(), options.password.c_str()), "invalid user");
    // A node's user may only subscribe to replies under its own prefix (see kernel/bus_users.cpp).
    if (!options.inbox_prefix.empty())
      check(natsOptions_SetCustomInboxPrefix(opts, options.inbox_prefix.c_str()),
            "invalid bus.inbox_prefix (a subject without wildcards, e.g. _INBOX.node-1)");
    if (!options.credentials_file.empty())
      check(natsOptions_SetUserCredentialsFromFiles(opts, options.credentials_file.c_str(), nullptr),
            "cannot use the credentials file");
    if (!options.tls_ca.empty() || !options.tls_cert.empty() || options.urls.front().rfind("tls://", 0) == 0) {
      check(natsOptions_SetSecure(opts, true), "TLS is not available in this libnats");
      if (!options.tls_ca.empty())
        check(natsOptions_LoadCATrustedCertificates(opts, options.tls_ca.c_str()), "cannot load bus.tls_ca");
      if (!options.tls_cert.empty())
        check(natsOptions_LoadCertificatesChain(opts, options.tls_cert.c_str(), options.tls_key.c_str()),
              "cannot load bus.tls_cert/bus.tls_key");
      if (options.tls_insecure) check(natsOptions_SkipServerVerification(opts, true), "tls_insecure");
    }
    if (!options.connection_name.empty()) natsOptions_SetName(opts, options.connection_name.c_str());
    natsOptions_SetTimeout(opts, options.connect_timeout.count());
    // Write each message at once: libnats otherwise leaves small writes to its flusher thread,
    // which costs ~1 ms per request/reply hop on an idle connection.
    natsOptions_SetSendAsap(opts, true);
    natsOptions_SetAllowReconnect(opts, true);
    natsOptions_SetMaxReconnect(opts, -1);
    natsOptions_SetReconnectWait(opts, options.reconnect_wait.count());
    natsOptions_SetRetryOnFailedConnect(opts, false, nullptr, nullptr);
    if (!options.discover_servers) natsOptions_SetIgnoreDiscoveredServers(opts, true);
    // A request while the server is away fails at once instead of waiting out its timeout.
    natsOptions_SetFailRequestsOnDisconnect(opts, true);
    closure_ = new CallbacksRef(callbacks_);
    natsOptions_SetDisconnectedCB(opts, &NatsBus::on_disconnected, closure_);
    natsOptions_SetReconnectedCB(opts, &NatsBus::on_reconnected, closure_);
    natsOptions_SetClosedCB(opts, &NatsBus::on_closed, closure_);
    natsOptions_SetErrorHandler(opts, &NatsBus::on_async_error, closure_);
  }

  static Callbacks& callbacks(void* closure) { return **static_cast<CallbacksRef*>(closure); }
  static void on_disconnected(natsConnection*, void* closure) { callbacks(closure).notify(ConnectionEvent::Disconnected); }
  static void on_reconnected(natsConnection*, void* closure) { callbacks(closure).notify(ConnectionEvent::Reconnected); }
  static void on_closed(natsConnection*, void* closure) {
    callbacks(closure).notify(ConnectionEvent::Closed);
    delete static_cast<CallbacksRef*>(closure);
  }
  static void on_async_error(natsConnection* nc, natsSubscription* sub, natsStatus err, void* closure) {
    Callbacks& c = callbacks(closure);
    if (!c.warnings) return;
    std::string where = sub ? std::string(" on ") + natsSubscription_GetSubject(sub) : "";
    // The server's own words, e.g. which subject a permission violation was about.
    const char* said = nullptr;
    if (nc && natsConnection_GetLastError(nc, &said) == err && said && *said) where += ": " + std::string(said);
    c.warnings("bus: " + std::string(natsStatus_GetText(err)) + where);
  }

  Subscription make_subscription(std::string_view subject, std::string_view queue_group, DeliveryHandler handler) {
    auto state = std::make_shared<SubscriptionState>();
    state->handler = std::move(handler);
    auto* closure = new std::shared_ptr<SubscriptionState>(state);
    std::string subject_text(subject), group_text(queue_group);
    natsStatus s = group_text.empty()
                       ? natsConnection_Subscribe(&state->sub, connection_, subject_text.c_str(), on_message, closure)
                       : natsConnection_QueueSubscribe(&state->sub, connection_, subject_text.c_str(),
                                                       group_text.c_str(), on_message, closure);
    if (s != NATS_OK) {
      delete closure;
      throw Error(Status::Unavailable("bus: cannot subscribe to " + subject_text + ": " + nats_error(s)));
    }
    if (natsSubscription_SetOnCompleteCB(state->sub, on_subscription_complete, closure) != NATS_OK) {
      // Already closed (connection gone): libnats will not call back, so free the closure here.
      delete closure;
    }
    // Make sure the server knows the interest before a caller relies on it.
    natsConnection_FlushTimeout(connection_, 2000);
    return Subscription([state] {
      {
        std::lock_guard lock(state->mutex);
        state->active = false;
      }
      natsSubscription_Unsubscribe(state->sub);
      natsSubscription_Destroy(state->sub);
    });
  }

  std::unique_ptr<JetStream> jetstream() override { return make_nats_jetstream(connection_); }

  natsConnection* connection_ = nullptr;
  std::shared_ptr<ConnectionHandle> handle_ = std::make_shared<ConnectionHandle>();
  CallbacksRef callbacks_ = std::make_shared<Callbacks>();
  CallbacksRef* closure_ = nullptr;  // libnats' own reference, released by on_closed
};

}  // namespace

BusPtr connect_bus(const BusOptions& options, BusWarningSink warnings) {
  return std::make_unique<NatsBus>(options, std::move(warnings));
}

}  // namespace skiff::sdk
