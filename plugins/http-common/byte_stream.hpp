// A byte stream both ways: an upgraded HTTP connection, or a tunnel carried inside one (SPDY in
// WebSocket messages, as kubectl 1.31+ forwards ports). What SPDY and WebSocket framing sit on.
#pragma once

#include <cstddef>

namespace skiff::http_common {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual std::size_t read_raw(void* data, std::size_t size) = 0;  // 0 at the end
  virtual bool write_raw(const void* data, std::size_t size) = 0;  // false once the peer is gone
};

// Reads exactly `size` bytes; false at the stream's end.
inline bool read_exactly(ByteStream& stream, void* data, std::size_t size) {
  auto* out = static_cast<unsigned char*>(data);
  while (size > 0) {
    std::size_t n = stream.read_raw(out, size);
    if (n == 0) return false;
    out += n;
    size -= n;
  }
  return true;
}

}  // namespace skiff::http_common
