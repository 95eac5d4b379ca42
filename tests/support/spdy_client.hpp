// The client side of SPDY/3.1 as kubectl's port-forward speaks it, for tests: streams opened
// with header blocks (zlib primed with SPDY/3's dictionary, one stream per connection), DATA
// both ways, frames read whole with deadlines. It runs on any byte transport: the upgraded
// connection itself, or WebSocket binary messages (kubectl 1.31+'s tunnel).
#pragma once

#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::test {

class SpdyClient {
 public:
  using Clock = std::chrono::steady_clock;
  struct Transport {
    std::function<bool(std::string_view)> write;
    // Appends what arrives by the deadline to `buffer`; false when nothing came (deadline or end).
    std::function<bool(std::string& buffer, Clock::time_point deadline)> receive;
  };
  struct Frame {
    bool control = false;
    int type = 0;  // control: 2 SYN_REPLY, 3 RST_STREAM, 6 PING, 7 GOAWAY
    int flags = 0;
    std::uint32_t stream_id = 0;
    std::string payload;  // DATA: its data; control: the body
  };
  static constexpr int kSynReply = 2, kRstStream = 3, kPing = 6, kGoAway = 7, kFin = 1;

  // `dictionary`: SPDY/3's zlib dictionary.
  SpdyClient(Transport transport, const std::string& dictionary);
  ~SpdyClient();
  SpdyClient(const SpdyClient&) = delete;
  SpdyClient& operator=(const SpdyClient&) = delete;

  // SYN_STREAM with these headers; the new stream's id (1, 3, 5 …).
  std::uint32_t open_stream(const std::vector<std::pair<std::string, std::string>>& headers);
  bool data(std::uint32_t stream_id, std::string_view payload, bool fin = false);
  bool ping(std::uint32_t id);
  // The next frame from the server; nothing at the deadline or the end.
  std::optional<Frame> next(Clock::time_point deadline);

 private:
  bool send_control(int type, int flags, const std::string& body);

  Transport transport_;
  z_stream deflate_{};
  std::uint32_t next_stream_ = 1;
  std::string buffer_;
};

}  // namespace skiff::test
