// SPDY/3.1 framing, the part a client of the Kubernetes streaming protocols needs (what
// containerd's streaming server speaks for exec after an HTTP upgrade): SYN_STREAM with a
// zlib-compressed header block, data frames, PING replies, and reading any frame's header.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::containerd::spdy {

constexpr std::uint16_t kVersion = 3;
constexpr std::uint8_t kFlagFin = 0x01;

enum class ControlType : std::uint16_t {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
};

// The first eight bytes of every frame, decoded.
struct FrameHeader {
  bool control = false;
  std::uint16_t type = 0;        // control frames
  std::uint32_t stream_id = 0;   // data frames
  std::uint8_t flags = 0;
  std::uint32_t length = 0;      // of what follows the header
};
FrameHeader parse_frame_header(const unsigned char (&bytes)[8]);

// Compresses header blocks: one zlib stream for the connection, flushed after each block (the
// peer inflates them in order with one inflater).
class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;
  std::string compress(const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  z_stream zlib_{};
};

// The uncompressed name/value block: counts and lengths as 32-bit big-endian numbers.
std::string header_block(const std::vector<std::pair<std::string, std::string>>& headers);

std::string syn_stream(std::uint32_t stream_id, std::uint8_t flags, const std::string& compressed_headers);
std::string data_frame(std::uint32_t stream_id, std::uint8_t flags, std::string_view data);
std::string ping_frame(std::uint32_t id);

// A frame's payload read as the 32-bit big-endian number at `offset` (stream ids, ping ids).
std::uint32_t read_u32(std::string_view payload, std::size_t offset);

}  // namespace skiff::containerd::spdy
