#include "websocket_tunnel.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace skiff::apiserver {

std::size_t WebSocketTunnel::read_raw(void* data, std::size_t size) {
  while (!ended_ && offset_ == pending_.size()) {
    auto message = socket_.read_message();
    if (!message || message->opcode != WebSocket::Binary) {
      ended_ = true;
      break;
    }
    pending_ = std::move(message->payload);
    offset_ = 0;
  }
  if (ended_) return 0;
  std::size_t n = std::min(size, pending_.size() - offset_);
  std::memcpy(data, pending_.data() + offset_, n);
  offset_ += n;
  return n;
}

bool WebSocketTunnel::write_raw(const void* data, std::size_t size) {
  return socket_.write(WebSocket::Binary, std::string_view(static_cast<const char*>(data), size));
}

}  // namespace skiff::apiserver
