// Port-forward's SPDY/3.1 session (portforward.k8s.io), on the upgraded connection or inside
// the WebSocket tunnel: for each connection it accepts locally, kubectl opens an error stream
// and then a data stream, both with headers naming the port and a requestID that pairs them.
// Each pair becomes one connection to the pod's port; what the pod sends comes back on the
// data stream, and why it could not connect on the error stream.
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "port_forward.hpp"
#include "skiff/sdk/status.hpp"
#include "spdy.hpp"

namespace skiff::apiserver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(250);  // how often a quiet pump checks for the end

// One of kubectl's connections: its two streams, and the pod's connection once both are open.
struct StreamPair {
  std::uint32_t error_id = 0, data_id = 0;
  int port = 0;
  std::unique_ptr<sdk::ChunkStream> stream;
  std::thread pump;
};

int port_of(const std::map<std::string, std::string>& headers) {
  auto it = headers.find("port");
  if (it == headers.end()) return 0;
  try {
    int port = std::stoi(it->second);
    return port > 0 && port <= 65535 ? port : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

class SpdySession {
 public:
  SpdySession(ByteStream& connection, const PortForwardTarget& target) : spdy_(connection), target_(target) {}
  ~SpdySession() {
    closing_ = true;
    for (auto& [id, pair] : by_request_) {
      if (pair->stream) pair->stream->stop();
      if (pair->pump.joinable()) pair->pump.join();
    }
  }

  void run() {
    while (auto frame = spdy_.read()) {
      if (frame->control && frame->type == SpdyConnection::kSynStream) {
        open_stream(*frame);
      } else if (frame->control && frame->type == SpdyConnection::kPing) {
        spdy_.ping(frame->payload);
      } else if (frame->control && frame->type == SpdyConnection::kRstStream) {
        if (auto it = by_data_stream_.find(frame->stream_id); it != by_data_stream_.end() && it->second->stream)
          it->second->stream->stop();
      } else if (!frame->control) {
        auto it = by_data_stream_.find(frame->stream_id);
        if (it == by_data_stream_.end() || !it->second->stream) continue;  // the error stream: nothing is read from it
        bool fin = frame->flags & SpdyConnection::kFin;
        if (!frame->payload.empty() || fin) it->second->stream->send_stdin(std::move(frame->payload), fin);
      }
    }
  }

 private:
  void open_stream(SpdyConnection::Frame& frame) {
    spdy_.syn_reply(frame.stream_id);
    std::string type = frame.headers["streamtype"];
    std::string id = frame.headers.count("requestid") ? frame.headers["requestid"] : frame.headers["port"];
    auto& pair = by_request_[id];
    if (!pair) pair = std::make_shared<StreamPair>();
    pair->port = port_of(frame.headers);
    (type == "error" ? pair->error_id : pair->data_id) = frame.stream_id;
    if (type == "data") by_data_stream_[frame.stream_id] = pair;
    if (pair->error_id != 0 && pair->data_id != 0 && !pair->stream) start(pair);
  }

  void fail(const StreamPair& pair, const std::string& why) {
    spdy_.data(pair.error_id, target_.error_text(pair.port, why), true);
    spdy_.data(pair.data_id, "", true);
  }

  // Both streams are open: connect to the pod's port, then relay what the pod sends until it ends.
  void start(const std::shared_ptr<StreamPair>& pair) {
    if (pair->port == 0) return fail(*pair, "the stream's port header is missing or not a port");
    try {
      pair->stream = target_.connect(pair->port);
    } catch (const sdk::Error& e) {
      return fail(*pair, e.status().message);
    }
    pair->pump = std::thread([this, pair] {
      while (!closing_) {
        auto chunk = pair->stream->next(Clock::now() + kPoll);
        if (!chunk) continue;
        if (chunk->done()) {
          if (!chunk->error().empty()) return fail(*pair, chunk->error());
          spdy_.data(pair->data_id, "", true);
          spdy_.data(pair->error_id, "", true);  // kubectl waits for the error stream's end
          return;
        }
        if (!spdy_.data(pair->data_id, chunk->data())) return;
      }
    });
  }

  SpdyConnection spdy_;
  const PortForwardTarget& target_;
  std::atomic<bool> closing_{false};
  std::map<std::string, std::shared_ptr<StreamPair>> by_request_;
  std::map<std::uint32_t, std::shared_ptr<StreamPair>> by_data_stream_;
};

}  // namespace

void serve_spdy_port_forward(ByteStream& connection, const PortForwardTarget& target) {
  SpdySession session(connection, target);
  session.run();
}

}  // namespace skiff::apiserver
