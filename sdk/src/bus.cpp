// Bus value types shared by every implementation: headers, trace ids, the Request handle.
#include "skiff/sdk/bus.hpp"

#include "nothing_serves.hpp"
#include "skiff/sdk/jetstream.hpp"

#include <atomic>
#include <mutex>
#include <random>

namespace skiff::sdk {

bool Reply::nothing_serves() const {
  return status.code == 503 && status.message.rfind(kNothingServesPrefix, 0) == 0;
}

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

std::string new_trace_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = kHex[bits & 0xF];
  }
  return id;
}

Headers status_headers(const Status& status) {
  return {{std::string(header::kStatusCode), std::to_string(status.code)},
          {std::string(header::kStatusReason), status.reason},
          {std::string(header::kStatusMessage), status.message}};
}

Status status_from_headers(const Headers& headers) {
  std::string_view code = find_header(headers, header::kStatusCode);
  if (code.empty()) return Status::Ok();
  Status status;
  try {
    status.code = std::stoi(std::string(code));
  } catch (const std::exception&) {
    return Status::Internal("malformed " + std::string(header::kStatusCode) + " header '" + std::string(code) + "'");
  }
  status.reason = find_header(headers, header::kStatusReason);
  status.message = find_header(headers, header::kStatusMessage);
  return status;
}

struct Request::State {
  Message message;
  Sender sender;
  std::atomic<bool> answered{false};

  void send(std::string_view data, const Headers& headers) {
    if (answered.exchange(true) || message.reply.empty()) return;
    sender(data, headers);
  }

  ~State() {
    if (!answered.load())
      send({}, status_headers(Status::Internal("the handler of " + message.subject + " dropped the request "
                                               "without answering; this is a bug in the serving plugin")));
  }
};

Request::Request(Message message, Sender sender) : state_(std::make_shared<State>()) {
  state_->message = std::move(message);
  state_->sender = std::move(sender);
}

const Message& Request::message() const { return state_->message; }

void Request::reply(std::string_view data, Headers headers) const { state_->send(data, headers); }

void Request::fail(const Status& status) const { state_->send({}, status_headers(status)); }

bool Request::answered() const { return state_->answered.load(); }

std::unique_ptr<JetStream> Bus::jetstream() {
  throw Error(Status::NotImplemented("this bus has no JetStream (a test double?); connect to a nats-server with JetStream"));
}

}  // namespace skiff::sdk
