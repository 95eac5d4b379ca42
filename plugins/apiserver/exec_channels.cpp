#include "exec_channels.hpp"

#include <condition_variable>
#include <map>
#include <vector>

#include <boost/algorithm/string.hpp>
#include <boost/json.hpp>

#include "api_error.hpp"
#include "spdy.hpp"
#include "websocket.hpp"

namespace skiff::apiserver {
namespace {

constexpr unsigned char kResize = 4;        // the terminal's size, JSON
constexpr unsigned char kCloseStream = 255;  // v5: "this stream is closed", then the stream's number

class WebSocketChannels final : public ExecChannels {
 public:
  explicit WebSocketChannels(HttpResponder& connection) : socket_(connection) {}

  void read_client(const std::function<void(std::string)>& on_stdin, const std::function<void()>& on_stdin_closed,
                   const OnResize& on_resize) override {
    while (auto message = socket_.read()) {
      if (message->empty()) continue;
      auto channel = static_cast<unsigned char>((*message)[0]);
      if (channel == Stdin) on_stdin(message->substr(1));
      else if (channel == kCloseStream && message->size() >= 2 && (*message)[1] == Stdin) on_stdin_closed();
      else if (channel == kResize) parse_terminal_sizes(std::string_view(*message).substr(1), on_resize);
    }
  }
  bool write(Channel channel, std::string_view data) override {
    return socket_.write(WebSocket::Binary, std::string(1, static_cast<char>(channel)) + std::string(data));
  }
  void finish(const std::string& status_json) override {
    socket_.write(WebSocket::Binary, std::string(1, static_cast<char>(Error)) + status_json);
    socket_.close();
  }

 private:
  WebSocket socket_;
};

// kubectl opens its SPDY streams one after another in a fixed order — error, stdin (with
// -i), stdout, stderr (not with a tty), resize (with a tty) — so a stream's kind follows from
// when it opens; its header block (zlib with SPDY's preset dictionary) need not be read.
class SpdyChannels final : public ExecChannels {
 public:
  SpdyChannels(HttpResponder& connection, const ExecStreams& streams) : spdy_(connection) {
    order_.push_back("error");
    if (streams.stdin) order_.push_back("stdin");
    if (streams.stdout) order_.push_back("stdout");
    if (streams.stderr && !streams.tty) order_.push_back("stderr");
    if (streams.tty) order_.push_back("resize");
  }

  void read_client(const std::function<void(std::string)>& on_stdin, const std::function<void()>& on_stdin_closed,
                   const OnResize& on_resize) override {
    while (auto frame = spdy_.read()) {
      if (frame->control) {
        if (frame->type == SpdyConnection::kSynStream) {
          spdy_.syn_reply(frame->stream_id);
          std::lock_guard lock(mutex_);
          if (opened_ < order_.size()) ids_[order_[opened_]] = frame->stream_id;
          ++opened_;
          changed_.notify_all();
        } else if (frame->type == SpdyConnection::kPing) {
          spdy_.ping(frame->payload);
        } else if (frame->type == SpdyConnection::kRstStream && frame->stream_id == id_of("stdin")) {
          on_stdin_closed();
        }
        continue;  // GOAWAY, SETTINGS, WINDOW_UPDATE: nothing to do
      }
      if (frame->stream_id != 0 && frame->stream_id == id_of("resize")) {
        parse_terminal_sizes(frame->payload, on_resize);
        continue;
      }
      if (frame->stream_id != id_of("stdin")) continue;
      if (!frame->payload.empty()) on_stdin(std::move(frame->payload));
      if (frame->flags & SpdyConnection::kFin) on_stdin_closed();
    }
    std::lock_guard lock(mutex_);
    gone_ = true;
    changed_.notify_all();
  }
  bool write(Channel channel, std::string_view data) override {
    std::uint32_t id = wait_for(channel == Stdout ? "stdout" : "stderr");
    return id != 0 && spdy_.data(id, data);
  }
  void finish(const std::string& status_json) override {
    // kubectl reads the error stream once stdout and stderr have ended.
    for (const char* kind : {"stdout", "stderr"})
      if (std::uint32_t id = wait_for(kind)) spdy_.data(id, "", true);
    if (std::uint32_t id = wait_for("error")) spdy_.data(id, status_json, true);
  }

 private:
  std::uint32_t id_of(const std::string& kind) {
    std::lock_guard lock(mutex_);
    auto it = ids_.find(kind);
    return it == ids_.end() ? 0 : it->second;
  }
  // The stream's id once the client has opened it; 0 if it never does (or is not asked for).
  std::uint32_t wait_for(const std::string& kind) {
    std::unique_lock lock(mutex_);
    if (std::find(order_.begin(), order_.end(), kind) == order_.end()) return 0;
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return ids_.count(kind) || gone_; });
    auto it = ids_.find(kind);
    return it == ids_.end() ? 0 : it->second;
  }

  SpdyConnection spdy_;
  std::vector<std::string> order_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::uint32_t> ids_;
  std::size_t opened_ = 0;
  bool gone_ = false;
};

}  // namespace

void parse_terminal_sizes(std::string_view text, const ExecChannels::OnResize& on_resize) {
  std::vector<std::string> lines;
  boost::split(lines, text, boost::is_any_of("\n"));
  for (const auto& line : lines) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(line, ec);
    if (ec || !doc.is_object()) continue;
    const auto* width = doc.as_object().if_contains("Width");
    const auto* height = doc.as_object().if_contains("Height");
    if (!width || !height || !width->is_number() || !height->is_number()) continue;
    auto w = width->to_number<std::int64_t>(ec);
    auto h = height->to_number<std::int64_t>(ec);
    if (!ec && w > 0 && h > 0 && w <= 0xffff && h <= 0xffff) on_resize(static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h));
  }
}

ExecProtocol choose_exec_protocol(const HttpRequest& request) {
  std::string upgrade = request.header("Upgrade");
  if (boost::iequals(upgrade, "websocket")) {
    if (request.header("Sec-WebSocket-Key").empty())
      throw ApiError(sdk::Status::BadRequest("exec: the WebSocket upgrade has no Sec-WebSocket-Key"));
    auto offered = request.header_tokens("Sec-WebSocket-Protocol");
    for (const char* wanted : {"v5.channel.k8s.io", "v4.channel.k8s.io"})
      if (std::find(offered.begin(), offered.end(), wanted) != offered.end()) return {ExecProtocol::WebSocket, wanted};
    throw ApiError(sdk::Status::BadRequest(
        "exec: none of the WebSocket subprotocols offered is served; offer v5.channel.k8s.io or v4.channel.k8s.io"));
  }
  if (boost::istarts_with(upgrade, "SPDY/3.1")) {
    auto offered = request.header_tokens("X-Stream-Protocol-Version");
    if (std::find(offered.begin(), offered.end(), "v4.channel.k8s.io") != offered.end())
      return {ExecProtocol::Spdy, "v4.channel.k8s.io"};
    throw ApiError(sdk::Status::BadRequest("exec over SPDY needs X-Stream-Protocol-Version v4.channel.k8s.io (kubectl 1.5 and later send it)"));
  }
  throw ApiError(sdk::Status::BadRequest(
      "exec needs a connection upgrade: WebSocket (v5.channel.k8s.io or v4.channel.k8s.io) or SPDY/3.1 (v4.channel.k8s.io)"));
}

std::unique_ptr<ExecChannels> open_exec_channels(const ExecProtocol& protocol, const HttpRequest& request,
                                                 HttpResponder& response, const ExecStreams& streams) {
  if (protocol.kind == ExecProtocol::WebSocket) {
    if (!response.upgrade({{"Upgrade", "websocket"},
                           {"Connection", "Upgrade"},
                           {"Sec-WebSocket-Accept", websocket_accept(request.header("Sec-WebSocket-Key"))},
                           {"Sec-WebSocket-Protocol", protocol.version}}))
      return nullptr;
    return std::make_unique<WebSocketChannels>(response);
  }
  if (!response.upgrade({{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", protocol.version}}))
    return nullptr;
  return std::make_unique<SpdyChannels>(response, streams);
}

}  // namespace skiff::apiserver
