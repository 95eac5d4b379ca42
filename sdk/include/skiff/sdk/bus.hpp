// The bus: the only way plugins talk. Subjects carry bytes (usually Protobuf), errors ride in headers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Header names every Skiff service understands.
namespace header {
inline constexpr std::string_view kStatusCode = "Skiff-Status";
inline constexpr std::string_view kStatusReason = "Skiff-Reason";
inline constexpr std::string_view kStatusMessage = "Skiff-Message";
inline constexpr std::string_view kTraceId = "Skiff-Trace-Id";
}  // namespace header

// Returns the first value of a header, or "" when absent.
std::string_view find_header(const Headers& headers, std::string_view name);
// A fresh random 128-bit trace id in hex.
std::string new_trace_id();
// An error status as reply headers, and back (no status header means 200).
Headers status_headers(const Status& status);
Status status_from_headers(const Headers& headers);

struct Message {
  std::string subject;
  std::string reply;
  std::string data;
  Headers headers;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

// What a request returns: a status (timeouts and missing services included) and the payload.
struct Reply {
  Status status;
  std::string data;
  Headers headers;

  bool ok() const { return status.ok(); }
  // No plugin serves the subject (503 from the bus itself, not from a service that answered).
  bool nothing_serves() const;
};

// Owns one subscription. Once cancel() returns (or the object is destroyed), its handler
// is not running and never runs again — so handlers may use objects the owner then frees.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      cancel();
      cancel_ = std::exchange(other.cancel_, nullptr);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { cancel(); }

  void cancel() {
    if (auto fn = std::exchange(cancel_, nullptr)) fn();
  }
  bool active() const { return static_cast<bool>(cancel_); }

 private:
  std::function<void()> cancel_;
};

// One incoming request on a served subject. Cheap to copy: a handler may keep a copy and
// answer later from another thread. If every copy is dropped unanswered, the caller gets a
// 500 instead of waiting for its timeout.
class Request {
 public:
  using Sender = std::function<void(std::string_view data, const Headers& headers)>;
  Request(Message message, Sender sender);

  const Message& message() const;
  const std::string& data() const { return message().data; }
  std::string_view trace_id() const { return message().header(header::kTraceId); }

  // The first answer wins; later ones are ignored.
  void reply(std::string_view data, Headers headers = {}) const;
  void fail(const Status& status) const;
  bool answered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using MessageHandler = std::function<void(const Message&)>;
using RequestHandler = std::function<void(Request)>;

enum class ConnectionEvent { Disconnected, Reconnected, Closed };

class JetStream;  // skiff/sdk/jetstream.hpp

class Bus {
 public:
  virtual ~Bus() = default;

  virtual void publish(std::string_view subject, std::string_view data, const Headers& headers = {}) = 0;
  virtual Subscription subscribe(std::string_view subject, MessageHandler handler) = 0;
  // Replicas serving one subject in the same queue group share its requests.
  // A handler that throws answers with the thrown Error's status (or 500).
  virtual Subscription serve(std::string_view subject, std::string_view queue_group, RequestHandler handler) = 0;
  // Never throws for remote failures: a timeout is 504, nothing serving the subject is 503.
  virtual Reply request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout,
                        const Headers& headers = {}) = 0;
  // Waits until the server has processed everything published so far.
  virtual void flush(std::chrono::milliseconds timeout) = 0;
  // After Reconnected, subscriptions are already restored; watchers should re-list.
  virtual Subscription on_connection_event(std::function<void(ConnectionEvent)> listener) = 0;
  virtual bool connected() const = 0;
  virtual std::string connected_url() const = 0;
  // JetStream on this connection (skiff/sdk/jetstream.hpp). Throws Error(501) on a bus that has
  // none (a test double).
  virtual std::unique_ptr<JetStream> jetstream();
};

using BusPtr = std::unique_ptr<Bus>;

}  // namespace skiff::sdk
