// Server side of SPDY/3.1 framing on an upgraded HTTP connection or on port-forward's tunnel
// in WebSocket messages, as kubectl's remote command and port-forward use it: the client
// opens streams (SYN_STREAM) that the server accepts (SYN_REPLY) and both send DATA frames on
// them; FIN ends a direction. Header blocks are zlib streams, one per direction for the
// whole connection; SYN_STREAM headers are read.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <zlib.h>

#include "http_names.hpp"
#include "spdy_headers.hpp"

namespace skiff::apiserver {

class SpdyConnection {
 public:
  struct Frame {
    bool control = false;
    std::uint16_t type = 0;  // control: 1 SYN_STREAM, 3 RST_STREAM, 6 PING, 7 GOAWAY …
    std::uint8_t flags = 0;  // 0x01 FIN
    std::uint32_t stream_id = 0;
    std::string payload;     // DATA: the data; control: the frame's body
    std::map<std::string, std::string> headers;  // SYN_STREAM: its headers, names lowercased
  };
  static constexpr std::uint16_t kSynStream = 1, kSynReply = 2, kRstStream = 3, kPing = 6, kGoAway = 7;
  static constexpr std::uint8_t kFin = 0x01;

  explicit SpdyConnection(ByteStream& connection);
  ~SpdyConnection();
  SpdyConnection(const SpdyConnection&) = delete;
  SpdyConnection& operator=(const SpdyConnection&) = delete;

  std::optional<Frame> read();  // nothing at the end of the connection
  // Safe from several threads.
  bool syn_reply(std::uint32_t stream_id);
  bool data(std::uint32_t stream_id, std::string_view payload, bool fin = false);
  bool ping(const std::string& body);
  bool rst_stream(std::uint32_t stream_id, std::uint32_t status = 5 /* CANCEL */);

 private:
  bool send_control(std::uint16_t type, std::uint8_t flags, const std::string& body);
  std::string compress_headers(const std::string& block);  // with write_mutex_ held

  ByteStream& connection_;
  std::mutex write_mutex_;
  z_stream deflate_{};
  SpdyHeaderReader header_reader_;  // read() only: one thread
};

}  // namespace skiff::apiserver
